package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.controller.BerthOperator;
import io.fabric8.kubernetes.api.model.Event;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.Record;
import org.jooq.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applications deployed by the whole operator onto the test bed's real Docker hosts, through SSH: reached over HTTP,
 * rolled without failed requests, failed rollouts that keep the old version serving, drift put back, Secret
 * changes rolled out, deletion, two hosts at once, an operator stopped mid-rollout, and the idle reconcile that
 * writes nothing.
 */
class ApplicationDeploymentIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;
    AppTestBed t;
    final List<Application> created = new ArrayList<>();

    @BeforeEach
    void bed() {
        t = new AppTestBed(dataDir);
    }

    @AfterEach
    void cleanUp() {
        try {
            t.sweep(created);
        } finally {
            t.close();
        }
    }

    Application create(Application app) {
        Application a = t.client.resource(app).create();
        created.add(a);
        return a;
    }

    Application awaitReady(String name) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> AppTestBed.ready(t.fetch(name)));
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
        assertThat(t.database.dsl().fetch("select action from activity_log where resource_id = ?::uuid",
                app.getMetadata().getUid()).getValues(0, String.class))
                .contains("container.create", "container.start");
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

    private static double unchanged(BerthOperator operator) {
        var counter = operator.metrics().registry().find("berth.reconciles").tags("kind", "Application", "result",
                "unchanged").counter();
        return counter == null ? 0 : counter.count();
    }
}
