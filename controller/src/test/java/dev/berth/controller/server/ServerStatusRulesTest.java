package dev.berth.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.controller.reconcile.BerthReconciler;
import dev.berth.controller.status.ConditionAggregator;
import dev.berth.controller.status.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerStatusRulesTest {
    static final Duration INTERVAL = Duration.ofSeconds(60);
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    static final String FP = "SHA256:4k699Qc2NOejswtx+OBeeRnKGgr0PI7DJXQe7fRrJ6w";

    static HostCheck.Facts facts() {
        return new HostCheck.Facts(FP, "root@10.213.1.2:22", "Debian GNU/Linux 12 (bookworm)", "20.10.24+dfsg1",
                "1.41", "amd64", 2, 25_000_000_000L, "/var/run/docker.sock", "berth");
    }

    /** What BerthReconciler would write after this outcome: the status with its conditions. */
    static ServerStatus written(ServerStatus status, Outcome outcome, Instant now) {
        ConditionAggregator c = new ConditionAggregator(status.getConditions(), 1L, now);
        c.set(Berth.CONDITION_READY, outcome.ready(), outcome.reason(), outcome.message());
        outcome.extraConditions().forEach(c::set);
        status.setConditions(c.build());
        status.setState(outcome.state());
        status.setObservedGeneration(1L);
        return status;
    }

    static ServerStatus copy(ServerStatus s) {
        return io.fabric8.kubernetes.client.utils.Serialization.clone(s);
    }

    @Test
    void aPassedCheckFillsTheFactsAndIsReady() {
        ServerStatus next = new ServerStatus();
        Outcome o = ServerStatusRules.apply(HostCheck.passed(facts(), true), null, next, T0, INTERVAL);
        assertThat(o.ready()).isTrue();
        assertThat(o.reason()).isEqualTo("Ready");
        assertThat(o.message()).contains("20.10.24+dfsg1", "Debian GNU/Linux 12", "amd64", "2 CPUs", "23.3 GiB");
        assertThat(o.recheckAfter()).contains(INTERVAL);
        assertThat(o.extraConditions()).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("Reachable", "True", "Connected"),
                        org.assertj.core.groups.Tuple.tuple("DockerReady", "True", "DockerAvailable"));
        assertThat(next.getHostKeyFingerprint()).isEqualTo(FP);
        assertThat(next.getDockerVersion()).isEqualTo("20.10.24+dfsg1");
        assertThat(next.getArchitecture()).isEqualTo("amd64");
        assertThat(next.getCpus()).isEqualTo(2);
        assertThat(next.getMemoryBytes()).isEqualTo(25_000_000_000L);
        assertThat(next.getConsecutiveFailures()).isZero();
        assertThat(next.getLastCheckTime()).isEqualTo("2026-11-26T10:00:00Z");
    }

    @Test
    void anUnchangedCheckLeavesTheStatusEqual_lastCheckTimeIsRefreshedOnlyAfterTenIntervals() {
        ServerStatus first = written(new ServerStatus(), ServerStatusRules.apply(HostCheck.passed(facts(), true), null,
                new ServerStatus(), T0, INTERVAL), T0);
        ServerStatusRules.apply(HostCheck.passed(facts(), true), null, first, T0, INTERVAL);
        first = written(first, ServerStatusRules.outcome(HostCheck.passed(facts(), true), 0, INTERVAL), T0);

        Instant later = T0.plus(INTERVAL.multipliedBy(3));
        ServerStatus next = copy(first);
        Outcome o = ServerStatusRules.apply(HostCheck.passed(facts(), false), first, next, later, INTERVAL);
        assertThat(written(next, o, later)).isEqualTo(first);

        Instant muchLater = T0.plus(INTERVAL.multipliedBy(ServerStatusRules.CHECK_TIME_REFRESH_INTERVALS));
        ServerStatus refreshed = copy(first);
        ServerStatusRules.apply(HostCheck.passed(facts(), false), first, refreshed, muchLater, INTERVAL);
        assertThat(refreshed.getLastCheckTime()).isEqualTo(muchLater.toString());

        // With a short interval (tests), the refresh still waits 10 minutes.
        assertThat(ServerStatusRules.stale(T0.toString(), T0.plusSeconds(599), Duration.ofSeconds(2))).isFalse();
        assertThat(ServerStatusRules.stale(T0.toString(), T0.plusSeconds(600), Duration.ofSeconds(2))).isTrue();
        assertThat(ServerStatusRules.stale(T0.toString(), T0.plus(Duration.ofMinutes(49)), Duration.ofMinutes(5)))
                .isFalse();
    }

    @Test
    void unreachableCountsFailuresKeepsTheLastKnownFactsAndBacksOff() {
        ServerStatus ok = new ServerStatus();
        ok = written(ok, ServerStatusRules.apply(HostCheck.passed(facts(), false), null, ok, T0, INTERVAL), T0);
        HostCheck down = HostCheck.failed(HostCheck.Facts.none("root@10.213.1.2:22"), ServerReasons.UNREACHABLE,
                "cannot connect to root@10.213.1.2:22: Connection refused");
        ServerStatus previous = ok;
        Duration[] expected = {Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16), Duration.ofSeconds(32), INTERVAL, INTERVAL};
        for (int i = 0; i < expected.length; i++) {
            Instant now = T0.plusSeconds(10L * (i + 1));
            ServerStatus next = copy(previous);
            Outcome o = ServerStatusRules.apply(down, previous, next, now, INTERVAL);
            assertThat(o.ready()).isFalse();
            assertThat(o.reason()).isEqualTo(ServerReasons.UNREACHABLE);
            assertThat(o.state()).isEqualTo(ServerReasons.UNREACHABLE);
            assertThat(o.warning()).isTrue();
            assertThat(o.recheckAfter()).contains(expected[i]);
            assertThat(next.getConsecutiveFailures()).isEqualTo(i + 1);
            assertThat(next.getLastCheckTime()).isEqualTo(now.toString());
            assertThat(next.getDockerVersion()).isEqualTo("20.10.24+dfsg1"); // last known
            assertThat(next.getHostKeyFingerprint()).isEqualTo(FP);
            assertThat(o.extraConditions()).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("Reachable", "False", "Unreachable"),
                            org.assertj.core.groups.Tuple.tuple("DockerReady", "Unknown", "NotChecked"));
            previous = written(next, o, now);
        }
        ServerStatus back = copy(previous);
        Outcome o = ServerStatusRules.apply(HostCheck.passed(facts(), false), previous, back, T0.plusSeconds(500), INTERVAL);
        assertThat(o.ready()).isTrue();
        assertThat(back.getConsecutiveFailures()).isZero();
    }

    @Test
    void dockerProblemsKeepReachableTrue() {
        HostCheck old = HostCheck.failed(facts(), ServerReasons.DOCKER_TOO_OLD,
                "Docker Engine 20.10.24 is older than spec.docker.minVersion 99.0");
        Outcome o = ServerStatusRules.apply(old, null, new ServerStatus(), T0, INTERVAL);
        assertThat(o.reason()).isEqualTo(ServerReasons.DOCKER_TOO_OLD);
        assertThat(o.recheckAfter()).contains(INTERVAL);
        assertThat(o.extraConditions()).extracting(Condition::getType, Condition::getStatus, Condition::getReason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("Reachable", "True", "Connected"),
                        org.assertj.core.groups.Tuple.tuple("DockerReady", "False", "DockerTooOld"));
        HostCheck unavailable = HostCheck.failed(facts(), ServerReasons.DOCKER_UNAVAILABLE, "no socket");
        assertThat(ServerStatusRules.apply(unavailable, null, new ServerStatus(), T0, INTERVAL).recheckAfter())
                .contains(Duration.ofSeconds(2));
    }

    @Test
    void aProblemOnlyAPersonCanFixIsCountedOnce_soRepeatedChecksWriteNothing() {
        HostCheck noSecret = HostCheck.failed(HostCheck.Facts.none("a"), ServerReasons.SECRET_NOT_FOUND, "m");
        ServerStatus first = new ServerStatus();
        first = written(first, ServerStatusRules.apply(noSecret, null, first, T0, INTERVAL), T0);
        assertThat(first.getConsecutiveFailures()).isEqualTo(1);
        ServerStatus again = copy(first);
        Outcome o = ServerStatusRules.apply(noSecret, first, again, T0.plusSeconds(60), INTERVAL);
        assertThat(written(again, o, T0.plusSeconds(60))).isEqualTo(first);

        HostCheck tooOld = HostCheck.failed(facts(), ServerReasons.DOCKER_TOO_OLD, "m2");
        ServerStatus other = copy(first);
        ServerStatusRules.apply(tooOld, first, other, T0.plusSeconds(120), INTERVAL);
        assertThat(other.getConsecutiveFailures()).isEqualTo(2); // a different problem is a new failure
    }

    @Test
    void refusalsAndKeyProblems() {
        for (String reason : new String[] {ServerReasons.AUTHENTICATION_FAILED, ServerReasons.SECRET_NOT_FOUND,
                ServerReasons.PRIVATE_KEY_INVALID}) {
            Outcome o = ServerStatusRules.apply(HostCheck.failed(HostCheck.Facts.none("a"), reason, "m"), null,
                    new ServerStatus(), T0, INTERVAL);
            assertThat(o.recheckAfter()).as(reason).contains(INTERVAL);
            assertThat(o.extraConditions().get(0).getReason()).isEqualTo(reason);
        }
        Outcome mismatch = ServerStatusRules.apply(HostCheck.failed(HostCheck.Facts.none("a"),
                ServerReasons.HOST_KEY_MISMATCH, "m"), null, new ServerStatus(), T0, INTERVAL);
        assertThat(mismatch.recheckAfter()).isEmpty();

        ServerStatus refused = written(new ServerStatus(), mismatch, T0);
        Outcome again = ServerStatusRules.unchanged(refused);
        assertThat(written(copy(refused), again, T0.plusSeconds(600))).isEqualTo(refused);
        assertThat(again.recheckAfter()).isEqualTo(Optional.empty());
    }
}
