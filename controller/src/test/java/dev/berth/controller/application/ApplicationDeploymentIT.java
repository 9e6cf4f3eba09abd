package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.reconcile.BerthReconciler;
import io.fabric8.kubernetes.api.model.Event;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.Record;
import org.jooq.Result;
import org.junit.jupiter.api.Test;

/**
 * Applications deployed by the whole operator onto the test bed's real Docker hosts, through SSH: reached over HTTP,
 * rolled without failed requests, failed rollouts that keep the old version serving, drift put back, Secret
 * changes rolled out, deletion, two hosts at once, an operator stopped mid-rollout, and the idle reconcile that
 * writes nothing.
 */
class ApplicationDeploymentIT extends ApplicationBedIT {

    /** Ready, and no rollout in progress (the replaced containers have drained and gone). */
    Application awaitReady(String name) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            Application a = t.fetch(name);
            return AppTestBed.ready(a) && !AppTestBed.condition(a, ApplicationReasons.CONDITION_ROLLING_UPDATE)
                    .map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
        });
        return t.fetch(name);
    }

    Result<Record> deployments(Application app) {
        return t.database.dsl().fetch("select id, status, image, reason, message, started_at, finished_at "
                + "from application_deployments where application_id = ?::uuid order by queued_at",
                app.getMetadata().getUid());
    }

    @Test
    void deploysReachableOverHttpAndAnIdleReconcileWritesNothing() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        Application app = create(AppTestBed.app("web-basic", "h1", "v1"));

        Application ready = awaitReady("web-basic");
        var status = ready.getStatus();
        assertThat(status.getCurrentImage()).isEqualTo("berth-test/httpd:1");
        assertThat(status.getImageDigest()).startsWith("sha256:");
        assertThat(status.getContainers()).hasSize(1);
        assertThat(status.getLastDeployment()).isNotNull();
        assertThat(status.getState()).isEqualTo("Running");
        assertThat(AppTestBed.condition(ready, ApplicationReasons.CONDITION_ROLLING_UPDATE))
                .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.FALSE));
        assertThat(AppTestBed.condition(ready, ApplicationReasons.CONDITION_DEGRADED))
                .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.FALSE));

        List<String[]> containers = t.containers(1, ready);
        assertThat(containers).hasSize(1);
        assertThat(containers.get(0)[0]).isEqualTo(status.getContainers().get(0).substring(0, 12));
        assertThat(containers.get(0)[2]).isEqualTo("running");
        String labels = t.docker(1, "inspect", "--format", "{{json .Config.Labels}}", containers.get(0)[1]);
        assertThat(labels).contains("\"berth.dev/managed\":\"true\"", "\"berth.dev/app\":\"" + app.getMetadata().getUid() + "\"",
                "\"berth.dev/generation\":\"1\"", "\"berth.dev/config-hash\":");

        AppTestBed.Result http = t.httpGet(1, "web-basic", "/version");
        assertThat(http.exit()).as(http.err()).isZero();
        assertThat(http.out()).isEqualTo("v1");

        // History: one finished deployment with its log lines, and activity rows for the host changes.
        Result<Record> rows = deployments(ready);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("status", String.class)).isEqualTo("finished");
        assertThat(rows.get(0).get("id", UUID.class).toString()).isEqualTo(status.getLastDeployment());
        assertThat(rows.get(0).get("reason", String.class)).isEqualTo("first deployment");
        assertThat(t.database.dsl().fetch("select line from application_deployment_logs where deployment_id = ?::uuid",
                status.getLastDeployment())).hasSizeGreaterThan(2);
        // Activity rows are written by the mirror's own thread, a moment after the look.
        await().atMost(WAIT).untilAsserted(() -> assertThat(t.database.dsl().fetch(
                "select action from activity_log where resource_id = ?::uuid",
                app.getMetadata().getUid()).getValues(0, String.class))
                .contains("container.create", "container.start"));
        // Live log lines went to Redis too.
        RedisClient redis = RedisClient.create(t.bed.redisUrl());
        try (StatefulRedisConnection<String, String> c = redis.connect()) {
            List<StreamMessage<String, String>> lines = c.sync().xrange(
                    DeploymentHistory.streamKey(UUID.fromString(status.getLastDeployment())), io.lettuce.core.Range.create("-", "+"));
            assertThat(lines).isNotEmpty();
            assertThat(lines.get(lines.size() - 1).getBody().get("line")).contains("deployment finished");
        } finally {
            redis.shutdown();
        }

        // Idle: the periodic re-check (3 s here) reconciles again; no Docker write, no status write.
        int writes = t.statusWrites.get();
        String since = Instant.now().toString();
        double before = unchanged(operator);
        await().atMost(WAIT).until(() -> unchanged(operator) >= before + 2);
        assertThat(t.statusWrites.get()).isEqualTo(writes);
        String events = t.docker(1, "events", "--since", since, "--until", Instant.now().toString(), "--filter",
                "label=" + Berth.LABEL_APP + "=" + app.getMetadata().getUid(), "--format", "{{.Type}} {{.Action}}");
        assertThat(events).as("Docker events of the Application's containers while idle").isEmpty();
    }

    @Test
    void aLookFromAStatusOlderThanTheDeploymentsOwnWriteIsThatDeploymentNotANewOne() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        create(AppTestBed.app("web-stale", "h1", "v1"));
        Application ready = awaitReady("web-stale");
        String deployment = ready.getStatus().getLastDeployment();
        List<String> serving = ready.getStatus().getContainers();

        // The status as it was before the deployment's own status write: what a retried look, or one that read a
        // stale copy, works from. The containers it finds are that deployment's, already serving.
        t.client.resources(Application.class).inNamespace(AppTestBed.NS).withName("web-stale").editStatus(a -> {
            a.getStatus().setContainers(List.of());
            return a;
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<String> now = t.fetch("web-stale").getStatus().getContainers();
            return now != null && !now.isEmpty();
        });
        Application back = t.fetch("web-stale");
        assertThat(back.getStatus().getContainers()).isEqualTo(serving);
        assertThat(back.getStatus().getLastDeployment()).as("the deployment that did it").isEqualTo(deployment);
        assertThat(deployments(back)).as("no phantom deployment row").hasSize(1);
        assertThat(operator.metrics().registry().find("berth.application.rollouts").tags("result", "finished")
                .counter().count()).isEqualTo(1.0);
        assertThat(t.containers(1, back)).hasSize(1);
    }

    @Test
    void aLookFromAStatusOlderThanARolloutFailureDoesNotTryThatConfigurationAgain() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        create(AppTestBed.app("web-refail", "h1", "v1"));
        awaitReady("web-refail");
        edit("web-refail", a -> {
            a.getSpec().setHealthCheck(null);
            a.getSpec().setImage("berth-test/missing:1");
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> t.fetch("web-refail").getStatus()
                .getFailedConfigHash() != null);
        String failedHash = t.fetch("web-refail").getStatus().getFailedConfigHash();

        // The status as it was before the failure's own status write: what a look queued behind a slow failing
        // rollout (a pull that waits for DNS, say) works from. It must not start a second rollout of that config.
        t.client.resources(Application.class).inNamespace(AppTestBed.NS).withName("web-refail").editStatus(a -> {
            a.getStatus().setFailedConfigHash(null);
            return a;
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                failedHash.equals(t.fetch("web-refail").getStatus().getFailedConfigHash()));
        Application held = t.fetch("web-refail");
        assertThat(AppTestBed.condition(held, Berth.CONDITION_READY).map(Condition::getMessage).orElse(""))
                .contains("could not be pulled");
        assertThat(deployments(held)).extracting(r -> r.get("status", String.class))
                .as("one failed rollout, not two").containsExactly("finished", "rolled_back");
        assertThat(operator.metrics().registry().find("berth.application.rollouts").tags("result", "rolled_back")
                .counter().count()).isEqualTo(1.0);
        assertThat(http(1, "web-refail")).isEqualTo("v1");
    }

    /*
     * The two tests below are why DeploymentHistory.lastFinished / lastFailure still guard ApplicationDeployer now
     * that status writes are cached (BerthReconciler.writeStatus): a look retried after its status write FAILED
     * starts from the status before it, whatever the cache, and the host already shows what that look did.
     */
    @Test
    void aLookRetriedAfterTheFinishingStatusWriteFailedIsThatDeploymentNotANewOne() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        t.refuseNextStatusWrite("web-lostwrite", "\"Running\"");
        create(AppTestBed.app("web-lostwrite", "h1", "v1"));
        Application ready = awaitReady("web-lostwrite");
        assertThat(t.statusWriteRefused("web-lostwrite")).as("the write that said Running was refused once").isTrue();
        assertThat(deployments(ready)).as("no phantom deployment row").extracting(r -> r.get("status", String.class))
                .containsExactly("finished");
        assertThat(ready.getStatus().getLastDeployment()).isEqualTo(deployments(ready).get(0).get("id", UUID.class).toString());
        assertThat(operator.metrics().registry().find("berth.application.rollouts").tags("result", "finished")
                .counter().count()).isEqualTo(1.0);
        assertThat(t.containers(1, ready)).hasSize(1);
    }

    @Test
    void aLookRetriedAfterTheFailuresStatusWriteFailedDoesNotTryThatConfigurationAgain() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        create(AppTestBed.app("web-lostfail", "h1", "v1"));
        awaitReady("web-lostfail");
        t.refuseNextStatusWrite("web-lostfail", "failedConfigHash");
        edit("web-lostfail", a -> {
            a.getSpec().setHealthCheck(null);
            a.getSpec().setImage("berth-test/missing:1");
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> t.fetch("web-lostfail").getStatus()
                .getFailedConfigHash() != null);
        assertThat(t.statusWriteRefused("web-lostfail")).as("the write that recorded the failure was refused once").isTrue();
        Application held = t.fetch("web-lostfail");
        assertThat(AppTestBed.condition(held, Berth.CONDITION_READY).map(Condition::getMessage).orElse(""))
                .contains("could not be pulled");
        assertThat(deployments(held)).extracting(r -> r.get("status", String.class))
                .as("one failed rollout, not two").containsExactly("finished", "rolled_back");
        assertThat(operator.metrics().registry().find("berth.application.rollouts").tags("result", "rolled_back")
                .counter().count()).isEqualTo(1.0);
        assertThat(http(1, "web-lostfail")).isEqualTo("v1");
    }

    @Test
    void withNothingToWaitForReadyComesInTheLookThatStartsTheContainer() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            dev.berth.api.v1alpha1.Server s = t.client.resources(dev.berth.api.v1alpha1.Server.class)
                    .inNamespace(AppTestBed.NS).withName("h1").get();
            return s != null && s.getStatus() != null && s.getStatus().condition(Berth.CONDITION_READY)
                    .map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
        });
        Application app = AppTestBed.app("web-quick", "h1", "v1");
        app.getSpec().getHealthCheck().setType(dev.berth.api.v1alpha1.HealthCheck.Type.none);
        app.getSpec().getHealthCheck().setStartPeriod("0s");
        create(app);

        Application ready = awaitReady("web-quick");
        assertThat(t.statusWrites.get()).as("one status write: Ready, no 'Deploying' before it").isEqualTo(1);
        assertThat(ready.getStatus().getImageDigest()).startsWith("sha256:");
        assertThat(ready.getStatus().getContainers()).hasSize(1);
        assertThat(deployments(ready)).extracting(r -> r.get("status", String.class)).containsExactly("finished");
        await().atMost(WAIT).until(() -> http(1, "web-quick").equals("v1"));

        // A rolling update: the switch comes in the look that starts the new one (one status write: Ready, the old one
        // draining), the old one's end in the look after its drain (one more).
        String oldId = ready.getStatus().getContainers().get(0);
        edit("web-quick", a -> setVersion(a, "v2"));
        Application rolled = awaitGenerationReady("web-quick", 2);
        assertThat(rolled.getStatus().getContainers()).hasSize(1).doesNotContain(oldId);
        assertThat(t.containers(1, rolled)).hasSize(1);
        assertThat(t.statusWrites.get()).isEqualTo(3);
        assertThat(deployments(rolled)).extracting(r -> r.get("status", String.class))
                .containsExactly("finished", "finished");
        await().atMost(WAIT).until(() -> http(1, "web-quick").equals("v2"));

        // Idle: nothing written.
        double before = unchanged(operator);
        await().atMost(WAIT).until(() -> unchanged(operator) >= before + 2);
        assertThat(t.statusWrites.get()).isEqualTo(3);
    }

    private Application edit(String name, java.util.function.Consumer<Application> change) {
        return t.client.resources(Application.class).inNamespace(AppTestBed.NS).withName(name).edit(a -> {
            change.accept(a);
            return a;
        });
    }

    private static void setVersion(Application a, String version) {
        a.getSpec().getEnv().get(0).setValue(version);
    }

    private String http(int host, String alias) {
        AppTestBed.Result r = t.httpGet(host, alias, "/version");
        return r.exit() == 0 ? r.out() : "FAILED: " + r.err();
    }

    private Application awaitGenerationReady(String name, long generation) {
        return t.awaitGenerationReady(name, generation, WAIT);
    }

    private Condition awaitReason(String name, String reason) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> AppTestBed.condition(t.fetch(name),
                Berth.CONDITION_READY).map(c -> reason.equals(c.getReason())).orElse(false));
        return AppTestBed.condition(t.fetch(name), Berth.CONDITION_READY).orElseThrow();
    }

    @Test
    void anEnvChangeRollsOutWithoutASingleFailedRequest() {
        t.startOperator();
        t.server("h1", 1);
        create(AppTestBed.app("web-roll", "h1", "v1"));
        String oldId = awaitReady("web-roll").getStatus().getContainers().get(0);
        String poller = t.startPoller(1, "web-roll");
        await().atMost(WAIT).until(() -> t.docker(1, "logs", poller).lines().filter("v1"::equals).count() >= 3);

        edit("web-roll", a -> setVersion(a, "v2"));
        Application rolled = awaitGenerationReady("web-roll", 2);
        assertThat(rolled.getStatus().getContainers()).hasSize(1).doesNotContain(oldId);
        // While old and new share the alias, answers interleave; once the old one is gone, only v2 answers.
        await().atMost(WAIT).until(() -> {
            List<String> seen = t.docker(1, "logs", poller).lines().toList();
            return seen.size() >= 3 && seen.subList(seen.size() - 3, seen.size()).stream().allMatch("v2"::equals);
        });

        List<String> lines = t.docker(1, "logs", poller).lines().toList();
        t.docker(1, "rm", "-f", poller);
        assertThat(lines).as("every request answered, through the rollout").doesNotContain("FAIL")
                .contains("v1", "v2").allMatch(l -> l.equals("v1") || l.equals("v2"));
        assertThat(lines.subList(lines.size() - 3, lines.size())).as("only v2 once the old one is gone")
                .containsOnly("v2");
        List<String[]> containers = t.containers(1, rolled);
        assertThat(containers).hasSize(1);
        assertThat(rolled.getStatus().getContainers().get(0)).startsWith(containers.get(0)[0]);

        Result<Record> rows = deployments(rolled);
        assertThat(rows).extracting(r -> r.get("status", String.class)).containsExactly("finished", "finished");
        assertThat(rows.get(1).get("reason", String.class)).isEqualTo("spec changed (generation 2)");
        List<String> log = t.database.dsl().fetch("select line from application_deployment_logs where deployment_id = ?::uuid"
                + " order by line_no", rows.get(1).get("id", UUID.class)).getValues(0, String.class);
        int started = indexOf(log, "container.start");
        int removed = indexOf(log, "replaced by the new version");
        assertThat(started).as("the new container started ...").isNotNegative();
        assertThat(removed).as("... before the old one was removed").isGreaterThan(started);
        assertThat(log.get(removed)).contains("container.remove");
    }

    @Test
    void aFailingRolloutIsRolledBackTheOldVersionKeepsServingAndStatusExplains() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        create(AppTestBed.app("web-fail", "h1", "v1"));
        String oldId = awaitReady("web-fail").getStatus().getContainers().get(0);

        // v2 fails its health check.
        edit("web-fail", a -> {
            setVersion(a, "v2");
            dev.berth.api.v1alpha1.HealthCheck check = new dev.berth.api.v1alpha1.HealthCheck();
            check.setType(dev.berth.api.v1alpha1.HealthCheck.Type.command);
            check.setCommand(List.of("/bin/false"));
            check.setInterval("1s");
            check.setTimeout("1s");
            check.setRetries(1);
            check.setStartPeriod("1s");
            a.getSpec().setHealthCheck(check);
        });
        Condition failed = awaitReason("web-fail", ApplicationReasons.ROLLOUT_FAILED);
        assertThat(failed.getStatus()).isEqualTo(Condition.FALSE);
        assertThat(failed.getMessage()).contains("unhealthy", "the previous version keeps serving", "booting v2");
        Application app = t.fetch("web-fail");
        assertThat(AppTestBed.condition(app, ApplicationReasons.CONDITION_DEGRADED))
                .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.TRUE));
        assertThat(app.getStatus().getFailedConfigHash()).isNotNull();
        assertThat(app.getStatus().getContainers()).containsExactly(oldId);
        await().atMost(WAIT).until(() -> t.containers(1, t.fetch("web-fail")).size() == 1);
        assertThat(t.containers(1, app).get(0)[0]).isEqualTo(oldId.substring(0, 12));
        assertThat(http(1, "web-fail")).isEqualTo("v1");
        Result<Record> rows = deployments(app);
        assertThat(rows).extracting(r -> r.get("status", String.class)).containsExactly("finished", "rolled_back");
        assertThat(rows.get(1).get("message", String.class)).contains("unhealthy");
        // Not retried: the next looks change nothing.
        int writes = t.statusWrites.get();
        double looks = unchanged(operator);
        await().atMost(WAIT).until(() -> unchanged(operator) >= looks + 2);
        assertThat(deployments(app)).hasSize(2);
        assertThat(t.statusWrites.get()).isEqualTo(writes);

        // A broken image: the pull fails before anything is stopped.
        edit("web-fail", a -> {
            a.getSpec().setHealthCheck(null);
            a.getSpec().setImage("berth-test/missing:1");
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> AppTestBed.condition(t.fetch("web-fail"),
                Berth.CONDITION_READY).map(c -> c.getMessage().contains("could not be pulled")).orElse(false));
        assertThat(t.containers(1, t.fetch("web-fail"))).hasSize(1);
        assertThat(http(1, "web-fail")).isEqualTo("v1");

        // Fixed: rolls out.
        edit("web-fail", a -> {
            a.getSpec().setImage("berth-test/httpd:1");
            setVersion(a, "v3");
        });
        Application fixed = awaitGenerationReady("web-fail", 4);
        assertThat(fixed.getStatus().getFailedConfigHash()).isNull();
        assertThat(http(1, "web-fail")).isEqualTo("v3");
        assertThat(deployments(fixed)).extracting(r -> r.get("status", String.class))
                .containsExactly("finished", "rolled_back", "rolled_back", "finished");
    }

    @Test
    void containersStoppedOrRemovedOutOfBandArePutBack() {
        BerthOperator operator = t.startOperator();
        t.server("h1", 1);
        create(AppTestBed.app("web-drift", "h1", "v1"));
        Application app = awaitReady("web-drift");
        String id = app.getStatus().getContainers().get(0);

        t.docker(1, "stop", id);
        await().atMost(WAIT).until(() -> "running".equals(t.containers(1, app).get(0)[2]));
        assertThat(t.containers(1, app).get(0)[0]).isEqualTo(id.substring(0, 12));
        await().atMost(WAIT).until(() -> events("web-drift", ApplicationReasons.DRIFT_REPAIRED).size() == 1);
        assertThat(events("web-drift", ApplicationReasons.DRIFT_REPAIRED).get(0).getMessage()).contains("was stopped");
        assertThat(operator.metrics().registry().find("berth.application.drift").tags("kind", "stopped").counter().count())
                .isEqualTo(1.0);

        t.docker(1, "rm", "-f", id);
        await().atMost(WAIT).until(() -> {
            List<String[]> now = t.containers(1, app);
            return now.size() == 1 && !now.get(0)[0].equals(id.substring(0, 12)) && "running".equals(now.get(0)[2]);
        });
        Application back = awaitReady("web-drift");
        assertThat(back.getStatus().getContainers()).hasSize(1).doesNotContain(id);
        assertThat(http(1, "web-drift")).isEqualTo("v1");
        assertThat(operator.metrics().registry().find("berth.application.drift").tags("kind", "removed").counter().count())
                .isEqualTo(1.0);
        assertThat(deployments(back)).as("drift repair is not a deployment").hasSize(1);

        // The container and the Berth network both removed out of band, at once: Berth's recent knowledge that the
        // network exists is stale, and the app must still come back (network made again, container started).
        String second = back.getStatus().getContainers().get(0);
        t.docker(1, "rm", "-f", second);
        t.docker(1, "network", "rm", "berth");
        await().atMost(WAIT).until(() -> {
            List<String[]> now = t.containers(1, app);
            return now.size() == 1 && !now.get(0)[0].equals(second.substring(0, 12)) && "running".equals(now.get(0)[2]);
        });
        await().atMost(WAIT).until(() -> http(1, "web-drift").equals("v1"));
        assertThat(operator.metrics().registry().find("berth.application.drift").tags("kind", "removed").counter().count())
                .isEqualTo(2.0);
    }

    private static int indexOf(List<String> lines, String part) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(part)) {
                return i;
            }
        }
        return -1;
    }

    private List<Event> events(String name, String reason) {
        return t.client.v1().events().inNamespace(AppTestBed.NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    @Test
    void aSecretValueChangeRollsOut() {
        t.startOperator();
        t.server("h1", 1);
        String first = "berth-secret-" + UUID.randomUUID();
        String second = "berth-secret-" + UUID.randomUUID();
        t.client.resource(secret("web-secret-env", first)).create();
        Application app = AppTestBed.app("web-secret", "h1", null);
        dev.berth.api.v1alpha1.ApplicationSpec.EnvVarSource from = new dev.berth.api.v1alpha1.ApplicationSpec.EnvVarSource();
        from.setSecretKeyRef(new dev.berth.api.v1alpha1.SecretKeyRef("web-secret-env", "version"));
        app.getSpec().getEnv().get(0).setValueFrom(from);
        create(app);
        awaitReady("web-secret");
        assertThat(http(1, "web-secret")).isEqualTo(first);

        t.client.resource(secret("web-secret-env", second)).update();
        await().atMost(WAIT).until(() -> http(1, "web-secret").equals(second));
        Application rolled = awaitReady("web-secret");
        assertThat(t.containers(1, rolled)).hasSize(1);
        Result<Record> rows = deployments(rolled);
        assertThat(rows).extracting(r -> r.get("reason", String.class))
                .containsExactly("first deployment", "a referenced Secret or ConfigMap changed");
        // The values went into the containers and nowhere else: not status, Events, any mirror row, Redis.
        String json = t.client.getKubernetesSerialization().asJson(rolled);
        List<String> places = new ArrayList<>(List.of(json));
        t.client.v1().events().inNamespace(AppTestBed.NS).list().getItems().forEach(e -> places.add(e.getMessage()));
        for (String table : List.of("applications", "application_environment_variables", "application_deployments",
                "application_deployment_logs", "activity_log")) {
            t.database.dsl().fetch("select t::text from " + table + " t").forEach(r -> places.add(r.get(0, String.class)));
        }
        RedisClient redis = RedisClient.create(t.bed.redisUrl());
        try (StatefulRedisConnection<String, String> c = redis.connect()) {
            for (Record row : rows) {
                c.sync().xrange(DeploymentHistory.streamKey(row.get("id", UUID.class)), io.lettuce.core.Range.create("-", "+"))
                        .forEach(m -> places.add(m.getBody().toString()));
            }
        } finally {
            redis.shutdown();
        }
        assertThat(places).hasSizeGreaterThan(10).noneMatch(p -> p != null && (p.contains(first) || p.contains(second)));
    }

    private static io.fabric8.kubernetes.api.model.Secret secret(String name, String version) {
        return new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata().withName(name)
                .withNamespace(AppTestBed.NS).endMetadata()
                .withData(Map.of("version", java.util.Base64.getEncoder().encodeToString(version.getBytes())))
                .build();
    }

    @Test
    void deleteRemovesContainersAndMarkedVolumesAndKeepsHistory() {
        t.startOperator();
        t.server("h1", 1);
        String volume = "berth-it-" + UUID.randomUUID().toString().substring(0, 8);
        Application app = AppTestBed.app("web-gone", "h1", "v1");
        dev.berth.api.v1alpha1.ApplicationSpec.VolumeMount mount = new dev.berth.api.v1alpha1.ApplicationSpec.VolumeMount();
        mount.setName(volume);
        mount.setMountPath("/data");
        mount.setDeleteOnRemove(true);
        app.getSpec().setVolumes(List.of(mount));
        create(app);
        Application ready = awaitReady("web-gone");
        assertThat(t.dockerResult(1, "volume", "inspect", volume).exit()).isZero();

        t.client.resource(ready).delete();
        await().atMost(WAIT).until(() -> t.fetch("web-gone") == null);
        assertThat(t.containers(1, ready)).isEmpty();
        assertThat(t.dockerResult(1, "volume", "inspect", volume).exit()).as("deleteOnRemove").isNotZero();
        await().atMost(WAIT).until(() -> t.database.dsl().fetchOne(
                "select deleted_at from applications where id = ?::uuid", ready.getMetadata().getUid())
                .get(0) != null);
        assertThat(deployments(ready)).extracting(r -> r.get("status", String.class)).containsExactly("finished");
        await().atMost(WAIT).untilAsserted(() -> assertThat(t.database.dsl().fetch(
                "select action from activity_log where resource_id = ?::uuid",
                ready.getMetadata().getUid()).getValues(0, String.class)).contains("container.remove", "volume.remove"));
    }

    @Test
    void twoApplicationsOnTwoHostsConvergeIndependently() {
        t.startOperator();
        t.server("h1", 1);
        int port = 2200 + (int) (Math.random() * 500);
        String fingerprint = t.bed.sshd("start", 2, port);
        try {
            t.server("h2", 2, port, fingerprint);
            create(AppTestBed.app("web-one", "h1", "one"));
            create(AppTestBed.app("web-two", "h2", "two"));
            Application one = awaitReady("web-one");
            Application two = awaitReady("web-two");
            assertThat(t.containers(1, one)).hasSize(1);
            assertThat(t.containers(2, one)).isEmpty();
            assertThat(t.containers(2, two)).hasSize(1);
            assertThat(t.containers(1, two)).isEmpty();
            assertThat(http(1, "web-one")).isEqualTo("one");
            assertThat(http(2, "web-two")).isEqualTo("two");

            // Host 2 goes down: its Application says so; the other one rolls out as if nothing happened.
            t.bed.sshd("stop", 2, port);
            edit("web-two", a -> setVersion(a, "two-b"));
            edit("web-one", a -> setVersion(a, "one-b"));
            awaitGenerationReady("web-one", 2);
            assertThat(http(1, "web-one")).isEqualTo("one-b");
            Condition down = awaitReason("web-two", ApplicationReasons.SERVER_UNAVAILABLE);
            assertThat(down.getMessage()).contains("h2");
            assertThat(http(2, "web-two")).as("untouched while unreachable").isEqualTo("two");

            // Back: it converges on its own.
            t.bed.sshd("start", 2, port);
            awaitGenerationReady("web-two", 2);
            assertThat(http(2, "web-two")).isEqualTo("two-b");
        } finally {
            t.bed.sshd("stop", 2, port);
        }
    }

    @Test
    void anOperatorStoppedMidRolloutIsSucceededByOneThatFinishesItWithoutOrphans() {
        BerthOperator first = t.startOperator();
        t.server("h1", 1);
        create(AppTestBed.app("web-restart", "h1", "v1"));
        String oldId = awaitReady("web-restart").getStatus().getContainers().get(0);

        edit("web-restart", a -> {
            setVersion(a, "v2");
            a.getSpec().getHealthCheck().setStartPeriod("8s");
        });
        await().atMost(WAIT).until(() -> t.containers(1, t.fetch("web-restart")).size() == 2);
        t.stopOperator(first);
        List<String[]> midway = t.containers(1, t.fetch("web-restart"));
        assertThat(midway).hasSize(2);
        String newShort = midway.stream().filter(c -> !c[0].equals(oldId.substring(0, 12))).findFirst().orElseThrow()[0];
        assertThat(deployments(t.fetch("web-restart"))).extracting(r -> r.get("status", String.class))
                .containsExactly("finished", "in_progress");

        t.startOperator();
        Application done = awaitGenerationReady("web-restart", 2);
        List<String[]> after = t.containers(1, done);
        assertThat(after).as("the new container of the first operator, no duplicate, the old one gone").hasSize(1);
        assertThat(after.get(0)[0]).isEqualTo(newShort);
        assertThat(http(1, "web-restart")).isEqualTo("v2");
        Result<Record> rows = deployments(done);
        assertThat(rows).extracting(r -> r.get("status", String.class)).containsExactly("finished", "failed", "finished");
        assertThat(rows.get(1).get("message", String.class)).contains("operator stopped");
        assertThat(rows.get(2).get("reason", String.class)).isEqualTo("resumed after an operator restart");
    }

    private static double unchanged(BerthOperator operator) {
        var counter = operator.metrics().registry().find("berth.reconciles").tags("kind", "Application", "result",
                "unchanged").counter();
        return counter == null ? 0 : counter.count();
    }
}
