package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.HealthCheck;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rollouts, scaling, suspend and delete on the test bed's real hosts with clients polling the Application's alias
 * all along: not one request may fail or be cut. A new container takes requests only once healthy; one that goes is
 * taken out of DNS first, keeps its address for the requests it has for {@code rollout.drainSeconds}, and only then
 * gets its stop signal and is removed.
 */
class ZeroDowntimeRolloutIT extends ApplicationBedIT {

    /** busybox httpd behind a CGI that answers $VERSION after {@code delay} seconds, listening {@code late} s late. */
    private static Application app(String name, int late, int delay) {
        Application a = AppTestBed.app(name, "h1", "v1");
        a.getSpec().setArgs(List.of("echo \"booting $VERSION\"; mkdir -p /www/cgi-bin; echo \"$VERSION\" > /www/version;"
                + " printf '#!/bin/sh\\ntouch /tmp/inflight\\nsleep " + delay
                + "\\necho Content-Type: text/plain\\necho\\ncat /www/version\\n'"
                + " > /www/cgi-bin/v; chmod +x /www/cgi-bin/v; sleep " + late + "; trap 'exit 0' TERM;"
                + " httpd -f -p 8080 -h /www & wait"));
        HealthCheck check = new HealthCheck();
        check.setType(HealthCheck.Type.http);
        check.setPath("/version");
        check.setInterval("1s");
        check.setTimeout("2s");
        check.setRetries(3);
        check.setStartPeriod("20s");
        a.getSpec().setHealthCheck(check);
        a.getSpec().getRollout().setDrainSeconds(delay + 2);
        return a;
    }

    /** {@code loops} clients in one container, each asking for {@code path} again as soon as it has an answer. */
    private String startPollers(String alias, String path, int loops) {
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < loops; i++) {
            script.append("(while true; do wget -q -O - http://").append(alias).append(":8080").append(path)
                    .append(" 2>/dev/null || echo FAIL; sleep 0.2; done) & ");
        }
        script.append("wait");
        return t.docker(1, "run", "-d", "--label", AppTestBed.IT_LABEL, "--network", "berth", "berth-test/httpd:1",
                "sh", "-c", script.toString());
    }

    private List<String> answers(String poller) {
        return t.docker(1, "logs", poller).lines().toList();
    }

    /** Waits for {@code more} answers beyond those seen so far: the clients are not stuck on a cut connection. */
    private void awaitProgress(String poller, int more) {
        int before = answers(poller).size();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> answers(poller).size() >= before + more);
    }

    private void awaitContainers(Application app, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> t.containers(1, app).size() == count);
    }

    private void assertNoFailure(String poller, String... versions) {
        List<String> lines = answers(poller);
        assertThat(lines).as("every request answered").doesNotContain("FAIL").contains(versions);
    }

    @Test
    void aSlowStartingAppRollsFiveTimesInARowWithoutAFailedRequest() {
        t.startOperator();
        t.server("h1", 1);
        Application app = create(app("slow-start", 4, 0));
        t.awaitGenerationReady("slow-start", 1, WAIT);
        String poller = startPollers("slow-start", "/version", 1);
        awaitProgress(poller, 3);

        for (int v = 2; v <= 6; v++) {
            String version = "v" + v;
            t.edit("slow-start", a -> AppTestBed.setVersion(a, version));
            t.awaitGenerationReady("slow-start", v, WAIT);
            awaitContainers(app, 1);
            await().atMost(WAIT).until(() -> {
                List<String> seen = answers(poller);
                return seen.get(seen.size() - 1).equals(version);
            });
            awaitProgress(poller, 3);
        }
        assertNoFailure(poller, "v1", "v2", "v3", "v4", "v5", "v6");
        assertThat(t.deployments(app)).extracting(r -> r.get("status", String.class)).containsOnly("finished")
                .hasSize(6);
    }

    @Test
    void requestsInFlightAtTheSwitchAreAnswered() {
        t.startOperator();
        t.server("h1", 1);
        Application app = create(app("slow-answer", 0, 2));
        t.awaitGenerationReady("slow-answer", 1, WAIT);
        String poller = startPollers("slow-answer", "/cgi-bin/v", 4);
        awaitProgress(poller, 4);

        t.edit("slow-answer", a -> AppTestBed.setVersion(a, "v2"));
        t.awaitGenerationReady("slow-answer", 2, WAIT);
        awaitContainers(app, 1);
        awaitProgress(poller, 8);
        assertNoFailure(poller, "v1", "v2");
        List<String> lines = answers(poller);
        assertThat(lines.subList(lines.size() - 4, lines.size())).containsOnly("v2");
        List<String> log = t.deploymentLog(t.fetch("slow-answer").getStatus().getLastDeployment());
        assertThat(String.join("\n", log)).as("the old container drained before its stop")
                .containsSubsequence("container.serve", "container.drain", "container.stop", "container.remove");
    }

    @Test
    void scalingOneToThreeToOneFailsNoRequest() {
        t.startOperator();
        t.server("h1", 1);
        Application app = create(app("scale", 3, 0));
        t.awaitGenerationReady("scale", 1, WAIT);
        String poller = startPollers("scale", "/version", 2);
        awaitProgress(poller, 4);

        t.edit("scale", a -> a.getSpec().setReplicas(3));
        Application three = t.awaitGenerationReady("scale", 2, WAIT);
        assertThat(three.getStatus().getContainers()).hasSize(3);
        awaitProgress(poller, 6);

        t.edit("scale", a -> a.getSpec().setReplicas(1));
        t.awaitGenerationReady("scale", 3, WAIT);
        awaitContainers(app, 1);
        awaitProgress(poller, 6);
        assertNoFailure(poller, "v1");
        assertThat(answers(poller)).containsOnly("v1");
    }

    /** One request from a client container, started and in flight (the CGI has begun) when this returns. */
    private String requestInFlight(Application app) {
        String id = t.containers(1, app).get(0)[0];
        t.docker(1, "exec", id, "rm", "-f", "/tmp/inflight");
        String client = t.docker(1, "run", "-d", "--label", AppTestBed.IT_LABEL, "--network", "berth",
                "berth-test/httpd:1", "sh", "-c", "wget -q -O - http://going:8080/cgi-bin/v 2>/dev/null || echo FAIL");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> t.dockerResult(1, "exec", id, "test", "-f", "/tmp/inflight").exit() == 0);
        return client;
    }

    @Test
    void aRequestInFlightWhenSuspendedOrDeletedIsAnswered() {
        t.startOperator();
        t.server("h1", 1);
        Application app = create(app("going", 0, 4));
        t.awaitGenerationReady("going", 1, WAIT);

        String atSuspend = requestInFlight(app);
        t.edit("going", a -> a.getSpec().setSuspend(true));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> t.containers(1, app).stream()
                .allMatch(c -> c[2].equals("exited")));
        assertThat(answers(atSuspend)).as("the request in flight at the suspend").containsExactly("v1");

        t.edit("going", a -> a.getSpec().setSuspend(false));
        t.awaitGenerationReady("going", 3, WAIT);
        String atDelete = requestInFlight(app);
        t.client.resource(t.fetch("going")).delete();
        awaitContainers(app, 0);
        assertThat(answers(atDelete)).as("the request in flight at the delete").containsExactly("v1");
    }
}
