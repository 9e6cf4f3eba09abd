package dev.berth.controller.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.controller.BerthConfig;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.http.HealthCheck;
import dev.berth.controller.local.LocalApiServer;
import dev.berth.controller.mirror.MirrorDatabase;
import dev.berth.controller.mirror.PostgresMirror;
import dev.berth.controller.testbed.TestBed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Server's status follows its connection, not only the periodic check: with checks 10 minutes apart, a host whose
 * sshd goes away shows {@code Unreachable} within seconds, because the dropped connection re-checks the Server.
 * The whole operator on the in-process API server, the real mirror and Redis, a dedicated sshd on host 2.
 */
class ServerConnectionLossIT {

    static final String NS = "loss";
    static final Duration CHECK_INTERVAL = Duration.ofMinutes(10);

    @TempDir
    static Path dir;
    static TestBed bed;
    static MirrorDatabase database;
    static PostgresMirror mirror;
    static LocalApiServer api;
    static KubernetesClient client;
    static BerthOperator operator;

    @BeforeAll
    static void start() {
        bed = TestBed.get();
        database = MirrorDatabase.open(null, null, null, dir.resolve("pgdata"));
        mirror = new PostgresMirror(database);
        api = LocalApiServer.start();
        client = api.newClient();
        BerthConfig config = BerthConfig.from(Map.of("BERTH_HTTP_PORT", "0",
                "BERTH_SERVER_CHECK_INTERVAL", CHECK_INTERVAL.toMinutes() + "m", "BERTH_REDIS_URL", bed.redisUrl()));
        operator = new BerthOperator(config, api.newClient(), mirror,
                new HealthCheck("mirror", false, () -> Optional.empty()), List.of());
        operator.start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (client != null) {
            client.close();
            api.close();
        }
        if (mirror != null) {
            mirror.close();
            database.close();
        }
    }

    @Test
    void aHostWhoseConnectionDropsIsUnreachableLongBeforeTheNextPeriodicCheck() {
        TestBed.Host h = bed.host(2);
        int port = 2313;
        String fingerprint = bed.sshd("start", 2, port);
        try {
            client.resource(new SecretBuilder().withNewMetadata().withName("key").withNamespace(NS).endMetadata()
                    .withType("kubernetes.io/ssh-auth")
                    .withData(Map.of("ssh-privatekey", Base64.getEncoder().encodeToString(h.privateKey())))
                    .build()).create();
            Server s = new Server();
            s.setMetadata(new ObjectMetaBuilder().withName("h2").withNamespace(NS).build());
            ServerSpec spec = new ServerSpec();
            spec.setHost(h.address());
            spec.setPort(port);
            spec.setPrivateKeySecretRef(new SecretKeyRef("key", null));
            spec.getHostKey().setPolicy(ServerSpec.HostKeyPolicy.Pinned);
            spec.getHostKey().setFingerprint(fingerprint);
            s.setSpec(spec);
            client.resource(s).create();
            awaitReason("Ready", Duration.ofSeconds(90));

            // The host's sshd goes away: its connection ends (FIN), and that alone re-checks the Server.
            long stopped = System.nanoTime();
            bed.sshd("stop", 2, port);
            Server down = awaitReason(ServerReasons.UNREACHABLE, Duration.ofSeconds(30));
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(CHECK_INTERVAL);
            assertThat(down.getStatus().condition(Berth.CONDITION_READY).map(Condition::getMessage).orElse(""))
                    .contains(h.address());
        } finally {
            bed.sshd("stop", 2, port);
            client.resources(Server.class).inNamespace(NS).delete();
        }
    }

    private static Server awaitReason(String reason, Duration within) {
        await().atMost(within).untilAsserted(() -> {
            Server s = client.resources(Server.class).inNamespace(NS).withName("h2").get();
            assertThat(s).isNotNull();
            assertThat(s.getStatus()).isNotNull();
            assertThat(s.getStatus().condition(Berth.CONDITION_READY)).map(Condition::getReason).contains(reason);
        });
        return client.resources(Server.class).inNamespace(NS).withName("h2").get();
    }
}
