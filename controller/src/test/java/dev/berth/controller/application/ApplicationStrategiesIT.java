package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.application.AppTestBed.ContainerEvent;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.jooq.Record;
import org.jooq.Result;
import org.junit.jupiter.api.Test;

/**
 * How an Application is stopped and replaced, on the test bed's real Docker hosts through SSH: suspend stops the
 * containers and keeps them, resume starts the same ones again; Recreate, and any rollout of an Application that
 * publishes a host port, stops the old container before the new one starts — checked against Docker's own event
 * record, not against what the operator says it did.
 */
class ApplicationStrategiesIT extends ApplicationBedIT {

    private String http(String alias) {
        AppTestBed.Result r = t.httpGet(1, alias, "/version");
        return r.exit() == 0 ? r.out() : "FAILED: " + r.err();
    }

    private String hostHttp(int port) {
        AppTestBed.Result r = t.hostHttpGet(1, port, "/version");
        return r.exit() == 0 ? r.out() : "FAILED: " + r.err();
    }

    private static int index(List<ContainerEvent> events, String id, String action) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).id().equals(id) && events.get(i).action().equals(action)) {
                return i;
            }
        }
        return -1;
    }

    /** The deployment log records the old container's stop before the new one's start. */
    private static void assertStoppedBeforeStarted(List<String> log) {
        int stopped = indexOf(log, l -> l.contains("container.stop"));
        int started = indexOf(log, l -> l.contains("container.start"));
        assertThat(stopped).as("history: the old container stopped ... (%s)", log).isNotNegative();
        assertThat(started).as("... before the new one started (%s)", log).isGreaterThan(stopped);
    }

    private static int indexOf(List<String> lines, Predicate<String> matches) {
        for (int i = 0; i < lines.size(); i++) {
            if (matches.test(lines.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Docker's record of a rollout from {@code oldId} to {@code newId}: the old one was gone before the new one ran. */
    private void assertStoppedBeforeStarted(Application app, String oldId, String newId, Instant since, Instant until) {
        List<ContainerEvent> events = t.containerEvents(1, app, since, until);
        int oldDied = index(events, oldId, "die");
        int newStarted = index(events, newId, "start");
        assertThat(oldDied).as("the old container stopped (Docker events: %s)", events).isNotNegative();
        assertThat(newStarted).as("the new container started (Docker events: %s)", events).isNotNegative();
        assertThat(oldDied).as("the old container died before the new one started (Docker events: %s)", events)
                .isLessThan(newStarted);
        assertThat(AppTestBed.mostRunningAtOnce(List.of(oldId), events))
                .as("never two of the Application's containers running at once (Docker events: %s)", events)
                .isEqualTo(1);
        assertThat(index(events, oldId, "destroy")).as("the old container removed once the new one is healthy")
                .isGreaterThan(newStarted);
    }

    /** The Ready transition Event written when the given deployment began. */
    private Event deployingEvent(String name, String deploymentId) {
        List<Event> deploying = t.events(name, ApplicationReasons.DEPLOYING).stream()
                .filter(e -> e.getMessage().contains(deploymentId)).toList();
        assertThat(deploying).as("a Deploying Event for deployment %s", deploymentId).hasSize(1);
        return deploying.get(0);
    }

    @Test
    void suspendStopsAndKeepsTheContainersAndResumeStartsTheSameOnesAgain() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        Application app = create(AppTestBed.app("web-suspend", "h1", "v1"));
        Application ready = t.awaitGenerationReady("web-suspend", 1, WAIT);
        String id = ready.getStatus().getContainers().get(0);
        assertThat(http("web-suspend")).isEqualTo("v1");

        // Suspended: the container is stopped, not removed; status says so.
        t.edit("web-suspend", a -> a.getSpec().setSuspend(true));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> "Suspended".equals(
                t.fetch("web-suspend").getStatus().getState()));
        // Out of DNS first, drained for rollout.drainSeconds, then stopped and kept.
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> AppTestBed.condition(
                t.fetch("web-suspend"), Berth.CONDITION_READY).map(c -> c.getMessage().contains("stopped and kept"))
                .orElse(false));
        Application suspended = t.fetch("web-suspend");
        Condition readyCondition = AppTestBed.condition(suspended, Berth.CONDITION_READY).orElseThrow();
        assertThat(readyCondition.getStatus()).isEqualTo(Condition.FALSE);
        assertThat(readyCondition.getReason()).isEqualTo(Berth.REASON_SUSPENDED);
        assertThat(readyCondition.getMessage()).contains("spec.suspend is true", "1 container(s) stopped and kept");
        assertThat(suspended.getStatus().getObservedGeneration()).isEqualTo(2L);
        assertThat(AppTestBed.condition(suspended, ApplicationReasons.CONDITION_ROLLING_UPDATE))
                .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.FALSE));
        assertThat(AppTestBed.condition(suspended, ApplicationReasons.CONDITION_DEGRADED))
                .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.FALSE));
        assertThat(suspended.getStatus().getContainers()).containsExactly(id);
        List<String[]> kept = t.containers(1, app);
        assertThat(kept).as("the container is kept").hasSize(1);
        assertThat(kept.get(0)[0]).isEqualTo(id.substring(0, 12));
        assertThat(kept.get(0)[2]).as("and stopped").isEqualTo("exited");
        assertThat(t.events("web-suspend", Berth.REASON_SUSPENDED)).hasSize(1);

        // Idle looks while suspended (the periodic re-check, 3 s here) start nothing and write nothing.
        int writes = t.statusWrites.get();
        Instant since = Instant.now();
        double looks = AppTestBed.unchangedReconciles(operator);
        // (Meanwhile: nothing answers. The failed name lookup takes ~10 s, during which the looks happen.)
        assertThat(t.httpGet(1, "web-suspend", "/version").exit()).as("nothing answers while suspended").isNotZero();
        await().atMost(WAIT).until(() -> AppTestBed.unchangedReconciles(operator) >= looks + 2);
        assertThat(t.containers(1, app)).as("still stopped after idle looks").hasSize(1)
                .allSatisfy(c -> assertThat(c[2]).isEqualTo("exited"));
        assertThat(t.containerEvents(1, app, since, Instant.now()))
                .as("Docker events of the Application's containers while suspended and idle").isEmpty();
        assertThat(t.statusWrites.get()).isEqualTo(writes);

        // Resumed: the same container runs and answers again; not drift, not a deployment.
        Instant resumed = Instant.now();
        t.edit("web-suspend", a -> a.getSpec().setSuspend(false));
        Application back = t.awaitGenerationReady("web-suspend", 3, WAIT);
        assertThat(back.getStatus().getState()).isEqualTo("Running");
        assertThat(back.getStatus().getContainers()).containsExactly(id);
        List<String[]> running = t.containers(1, app);
        assertThat(running).hasSize(1);
        assertThat(running.get(0)[0]).isEqualTo(id.substring(0, 12));
        assertThat(running.get(0)[2]).isEqualTo("running");
        assertThat(http("web-suspend")).isEqualTo("v1");
        assertThat(t.containerEvents(1, app, resumed, Instant.now())).extracting(ContainerEvent::action)
                .as("resume starts the kept container, creates none").contains("start").doesNotContain("create");
        assertThat(t.events("web-suspend", ApplicationReasons.DRIFT_REPAIRED)).as("resume is not drift").isEmpty();
        assertThat(operator.metrics().registry().find("berth.application.drift").counters()).isEmpty();
        Result<Record> rows = t.deployments(back);
        assertThat(rows).as("suspend and resume are not deployments").extracting(r -> r.get("status", String.class))
                .containsExactly("finished");
        // Activity rows are written by the mirror's own thread, a moment after the look.
        await().atMost(WAIT).untilAsserted(() -> assertThat(t.database.dsl().fetch(
                "select action from activity_log where resource_id = ?::uuid order by 1",
                app.getMetadata().getUid()).getValues(0, String.class)).contains("container.stop")
                .filteredOn("container.start"::equals).hasSize(2));
    }

    @Test
    void recreateStopsTheOldContainerBeforeTheNewOneStarts() {
        t.startOperator();
        t.server("h1", 1);
        Application spec = AppTestBed.app("web-recreate", "h1", "v1");
        spec.getSpec().getRollout().setStrategy(ApplicationSpec.Strategy.Recreate);
        Application app = create(spec);
        String oldId = t.awaitGenerationReady("web-recreate", 1, WAIT).getStatus().getContainers().get(0);
        assertThat(http("web-recreate")).isEqualTo("v1");

        Instant since = Instant.now();
        t.edit("web-recreate", a -> AppTestBed.setVersion(a, "v2"));
        Application rolled = t.awaitGenerationReady("web-recreate", 2, WAIT);
        Instant until = Instant.now();
        assertThat(rolled.getStatus().getState()).isEqualTo("Running");
        assertThat(rolled.getStatus().getContainers()).hasSize(1).doesNotContain(oldId);
        String newId = rolled.getStatus().getContainers().get(0);
        assertStoppedBeforeStarted(app, oldId, newId, since, until);
        List<String[]> containers = t.containers(1, rolled);
        assertThat(containers).hasSize(1);
        assertThat(containers.get(0)[0]).isEqualTo(newId.substring(0, 12));
        assertThat(containers.get(0)[2]).isEqualTo("running");
        assertThat(http("web-recreate")).isEqualTo("v2");

        // One deployment row per rollout; the second says Recreate and stopped before it started.
        Result<Record> rows = t.deployments(rolled);
        assertThat(rows).extracting(r -> r.get("status", String.class)).containsExactly("finished", "finished");
        assertThat(rows.get(1).get("reason", String.class)).isEqualTo("spec changed (generation 2)");
        String deployment = rolled.getStatus().getLastDeployment();
        assertThat(rows.get(1).get("id").toString()).isEqualTo(deployment);
        List<String> log = t.deploymentLog(deployment);
        assertThat(log).anyMatch(l -> l.contains("strategy Recreate: the old containers drain and stop before the new ones start"));
        assertStoppedBeforeStarted(log);
        assertThat(deployingEvent("web-recreate", deployment).getMessage()).contains("Recreate: stop-then-start");
    }

    @Test
    void anApplicationPublishingAHostPortRollsOutStopThenStartAndAnswersOnThatPort() {
        t.startOperator();
        t.server("h1", 1);
        int port = 20000 + (int) (Math.random() * 10000);
        // The default strategy (Rolling), and the image as it is: httpd ignores SIGTERM, so the old container takes
        // its whole stop grace period to go — the new one must still wait for it.
        Application spec = AppTestBed.app("web-port", "h1", "v1");
        spec.getSpec().getPorts().get(0).setHostPort(port);
        assertThat(spec.getSpec().getRollout().getStrategy()).isEqualTo(ApplicationSpec.Strategy.Rolling);
        Application app = create(spec);
        String oldId = t.awaitGenerationReady("web-port", 1, WAIT).getStatus().getContainers().get(0);
        assertThat(hostHttp(port)).as("served on host port %d", port).isEqualTo("v1");

        Instant since = Instant.now();
        t.edit("web-port", a -> AppTestBed.setVersion(a, "v2"));
        Application rolled = t.awaitGenerationReady("web-port", 2, WAIT);
        Instant until = Instant.now();
        assertThat(rolled.getStatus().getContainers()).hasSize(1).doesNotContain(oldId);
        String newId = rolled.getStatus().getContainers().get(0);
        assertStoppedBeforeStarted(app, oldId, newId, since, until);
        assertThat(t.containers(1, rolled)).hasSize(1);
        assertThat(t.docker(1, "port", newId, "8080/tcp")).contains(":" + port);
        assertThat(hostHttp(port)).as("served on host port %d by the new version", port).isEqualTo("v2");

        // Status (its Ready transition Event) and history say why: host ports are published.
        Result<Record> rows = t.deployments(rolled);
        assertThat(rows).extracting(r -> r.get("status", String.class)).containsExactly("finished", "finished");
        String deployment = rolled.getStatus().getLastDeployment();
        assertThat(deployingEvent("web-port", deployment).getMessage())
                .contains("stop-then-start, because host ports are published");
        List<String> log = t.deploymentLog(deployment);
        assertThat(log).anyMatch(l -> l.contains("host ports are published: the old containers drain and stop before the new ones start"));
        assertStoppedBeforeStarted(log);
    }
}
