package dev.berth.controller.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Server;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.server.ServerReasons;
import dev.berth.controller.http.HealthCheck;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Two operators on one API server with leader election: only the lease holder reconciles; the other takes over. */
class LeaderElectionIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void onlyTheLeaderReconcilesAndTheStandbyTakesOver() throws Exception {
        try (OperatorHarness h = new OperatorHarness()) {
            RecordingMirror mirrorA = new RecordingMirror();
            RecordingMirror mirrorB = new RecordingMirror();
            BerthOperator a = start(h, mirrorA);
            await().atMost(WAIT).until(a::isLeader);
            BerthOperator b = start(h, mirrorB);
            assertThat(b.isStarted()).isTrue();

            h.client.resource(Resources.server("s1", "k")).create();
            await().atMost(WAIT).untilAsserted(() -> assertThat(OperatorHarness.ready(h.fetch(Server.class, "s1")))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(ServerReasons.SECRET_NOT_FOUND)));
            // Give the standby every chance to (wrongly) reconcile too.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> true);
            assertThat(b.isLeader()).isFalse();
            assertThat(mirrorA.upserts.get()).isPositive();
            assertThat(mirrorB.upserts.get()).isZero();
            assertThat(b.metrics().registry().find("berth.reconciles").counters()).isEmpty();
            Lease lease = h.client.leases().inNamespace("default").withName("berth-operator").get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(a.identity());
            assertThat(h.get(b, "/readyz").body()).contains("leader: DEGRADED standby");

            a.close();
            await().atMost(WAIT).until(b::isLeader);
            h.client.resource(Resources.server("s2", "k")).create();
            await().atMost(WAIT).untilAsserted(() -> assertThat(OperatorHarness.ready(h.fetch(Server.class, "s2")))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(ServerReasons.SECRET_NOT_FOUND)));
            assertThat(mirrorB.rows.values()).extracting(RecordingMirror.Row::name).contains("s2");
            assertThat(h.client.leases().inNamespace("default").withName("berth-operator").get().getSpec()
                    .getHolderIdentity()).isEqualTo(b.identity());
        }
    }

    private static BerthOperator start(OperatorHarness h, RecordingMirror mirror) {
        return h.start(mirror, new HealthCheck("mirror", false, Optional::empty),
                c -> c.withLeaderElection(true, Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofSeconds(1),
                        false));
    }
}
