package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.HealthCheck;
import dev.berth.controller.application.RolloutPlan.Action;
import dev.berth.controller.application.RolloutPlan.Create;
import dev.berth.controller.application.RolloutPlan.Drift;
import dev.berth.controller.application.RolloutPlan.Phase;
import dev.berth.controller.application.RolloutPlan.Remove;
import dev.berth.controller.application.RolloutPlan.Start;
import dev.berth.controller.application.RolloutPlan.Stop;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.host.ObservedContainer;
import dev.berth.controller.host.ObservedContainer.State;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RolloutPlannerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    private static final String OLD = "0000000000000000";

    private static DesiredState desired(int replicas, ApplicationSpec.Strategy strategy) {
        Application app = DesiredContainersTest.app();
        app.getSpec().setReplicas(replicas);
        app.getSpec().getRollout().setStrategy(strategy);
        app.getSpec().getRollout().setHealthTimeout("1m");
        return DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
    }

    private static DesiredState desired() {
        return desired(1, ApplicationSpec.Strategy.Rolling);
    }

    /** A container of the desired configuration as Berth creates it: on the network, not (yet) serving. */
    private static ObservedContainer fresh(DesiredState d, int replica, State state, Instant startedAt) {
        return new ObservedContainer("new-" + replica, d.containers().get(replica).name(), d.image(), d.configHash(),
                state, null, startedAt, NOW.plusSeconds(30), "dep-2", false);
    }

    /** A container of the desired configuration that runs and carries the alias. */
    private static ObservedContainer serving(DesiredState d, int replica, Instant startedAt) {
        return fresh(d, replica, State.RUNNING, startedAt).withServing(true);
    }

    private static ObservedContainer previous(String id, State state) {
        return new ObservedContainer(id, "shop-web-00000000-0", "registry.example.com/shop/web:1.4.1", OLD, state,
                null, NOW.minusSeconds(3600), null, "dep-1");
    }

    private static RolloutPlan plan(DesiredState d, Set<String> serving, ObservedContainer... observed) {
        return RolloutPlanner.plan(new RolloutPlanner.Input(d, Arrays.asList(observed), serving, null, false, false,
                true, NOW));
    }

    private static List<String> describe(RolloutPlan plan) {
        return plan.actions().stream().map(RolloutPlannerTest::describe).toList();
    }

    private static String describe(Action a) {
        if (a instanceof Create c) {
            return "create " + c.template().name();
        } else if (a instanceof Start s) {
            return "start " + s.id();
        } else if (a instanceof Stop s) {
            return "stop " + s.id();
        } else if (a instanceof RolloutPlan.Promote p) {
            return "promote " + p.id();
        } else if (a instanceof RolloutPlan.Demote d) {
            return "demote " + d.id();
        } else {
            return "remove " + ((Remove) a).id();
        }
    }

    @Test
    void firstDeployCreatesEveryReplicaAndWaits() {
        DesiredState d = desired(2, ApplicationSpec.Strategy.Rolling);
        RolloutPlan p = plan(d, Set.of());
        assertThat(p.phase()).isEqualTo(Phase.ROLLING_OUT);
        assertThat(describe(p)).containsExactly("create " + d.containers().get(0).name(), "create " + d.containers().get(1).name());
        assertThat(p.recheckAt()).contains(NOW.plus(RolloutPlanner.POLL));
    }

    @Test
    void aContainerCreatedButNotStartedIsStarted() {
        DesiredState d = desired();
        RolloutPlan p = plan(d, Set.of(), fresh(d, 0, State.CREATED, null));
        assertThat(p.phase()).isEqualTo(Phase.ROLLING_OUT);
        assertThat(describe(p)).containsExactly("start new-0");
    }

    @Test
    void rollingKeepsThePreviousVersionServingUntilTheNewIsHealthy() {
        DesiredState d = desired();
        RolloutPlan starting = plan(d, Set.of("old-1"), previous("old-1", State.RUNNING),
                fresh(d, 0, State.RUNNING, NOW.minusSeconds(2)));
        assertThat(starting.phase()).isEqualTo(Phase.ROLLING_OUT);
        assertThat(starting.actions()).isEmpty();
        assertThat(starting.recheckAt()).as("the start period ends at +3 s, after the next poll")
                .contains(NOW.plus(RolloutPlanner.POLL));
        assertThat(starting.detail()).isEqualTo("0/1 new container(s) healthy");

        RolloutPlan done = plan(d, Set.of("old-1"), previous("old-1", State.RUNNING),
                fresh(d, 0, State.RUNNING, NOW.minusSeconds(5)));
        assertThat(done.phase()).isEqualTo(Phase.SUCCEEDED);
        assertThat(describe(done)).as("the new one takes the alias before the old one gives it up")
                .containsExactly("promote new-0", "demote old-1");
        assertThat(done.servingNew()).isTrue();
        assertThat(done.draining()).isEqualTo(1);
        assertThat(done.recheckAt()).as("looked at again when the drain is over").contains(NOW.plusSeconds(10));
    }

    @Test
    void theReplacedVersionDrainsThenStopsThenGoes() {
        DesiredState d = desired();
        ObservedContainer demoted = previous("old-1", State.RUNNING).withServing(false);
        Map<String, Instant> draining = Map.of("old-1", NOW.plusSeconds(10));
        RolloutPlan during = RolloutPlanner.plan(new RolloutPlanner.Input(d, List.of(demoted,
                serving(d, 0, NOW.minusSeconds(5))), Set.of("new-0"), null, false, false, true, NOW, draining));
        assertThat(during.phase()).isEqualTo(Phase.RUNNING);
        assertThat(during.actions()).as("no stop signal before the drain is over").isEmpty();
        assertThat(during.recheckAt()).contains(NOW.plusSeconds(10));

        RolloutPlan after = RolloutPlanner.plan(new RolloutPlanner.Input(d, List.of(demoted,
                serving(d, 0, NOW.minusSeconds(5))), Set.of("new-0"), null, false, false, true, NOW.plusSeconds(10),
                draining));
        assertThat(describe(after)).containsExactly("stop old-1", "remove old-1");
        assertThat(after.recheckAt()).isEmpty();

        RolloutPlan forgotten = plan(d, Set.of("new-0"), demoted, serving(d, 0, NOW.minusSeconds(5)));
        assertThat(describe(forgotten)).as("a drain this process does not know of (restart): stopped gently at once")
                .containsExactly("stop old-1", "remove old-1");
    }

    @Test
    void aDeletedApplicationDrainsStopsAndGoes() {
        DesiredState d = desired();
        RolloutPlan first = RolloutPlanner.retireAll(List.of(serving(d, 0, NOW.minusSeconds(60)),
                fresh(d, 1 - 1, State.CREATED, null).withServing(false)), Map.of(), Duration.ofSeconds(3), NOW);
        assertThat(describe(first)).containsExactly("demote new-0", "remove new-0");
        assertThat(first.draining()).isEqualTo(1);
        assertThat(first.recheckAt()).contains(NOW.plusSeconds(3));

        ObservedContainer demoted = serving(d, 0, NOW.minusSeconds(60)).withServing(false);
        assertThat(RolloutPlanner.retireAll(List.of(demoted), Map.of("new-0", NOW.plusSeconds(3)), Duration.ofSeconds(3),
                NOW.plusSeconds(1)).actions()).isEmpty();
        RolloutPlan last = RolloutPlanner.retireAll(List.of(demoted), Map.of("new-0", NOW.plusSeconds(3)),
                Duration.ofSeconds(3), NOW.plusSeconds(3));
        assertThat(describe(last)).containsExactly("stop new-0", "remove new-0");
        assertThat(last.draining()).isZero();
    }

    @Test
    void rollingCreatesBesideTheOld() {
        DesiredState d = desired();
        RolloutPlan p = plan(d, Set.of("old-1"), previous("old-1", State.RUNNING));
        assertThat(p.phase()).isEqualTo(Phase.ROLLING_OUT);
        assertThat(describe(p)).containsExactly("create " + d.containers().get(0).name());
        assertThat(p.servingNew()).isFalse();
    }

    @Test
    void stopFirstStopsTheOldBeforeCreatingAndStartsItAgainWhenTheNewFails() {
        DesiredState d = desired(1, ApplicationSpec.Strategy.Recreate);
        RolloutPlan p = plan(d, Set.of("old-1"), previous("old-1", State.RUNNING));
        assertThat(describe(p)).as("out of DNS first; nothing new before it stopped").containsExactly("demote old-1");
        assertThat(p.recheckAt()).contains(NOW.plusSeconds(10));
        RolloutPlan drained = RolloutPlanner.plan(new RolloutPlanner.Input(d,
                List.of(previous("old-1", State.RUNNING).withServing(false)), Set.of("old-1"), null, false, false, true,
                NOW.plusSeconds(10), Map.of("old-1", NOW.plusSeconds(10))));
        assertThat(describe(drained)).containsExactly("stop old-1", "create " + d.containers().get(0).name());

        RolloutPlan failed = plan(d, Set.of("old-1"), previous("old-1", State.EXITED), fresh(d, 0, State.EXITED, NOW.minusSeconds(1)));
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(describe(failed)).containsExactly("remove new-0", "start old-1");
        assertThat(failed.failing().id()).isEqualTo("new-0");
        assertThat(failed.failure()).isEqualTo("container " + d.containers().get(0).name() + " exited");
        assertThat(failed.detail()).isEqualTo("the previous version keeps serving");
        assertThat(failed.previousServes()).isTrue();

        RolloutPlan heldAfter = RolloutPlanner.plan(new RolloutPlanner.Input(d,
                List.of(previous("old-1", State.RUNNING).withServing(false)), Set.of("old-1"), d.configHash(), false,
                false, true, NOW));
        assertThat(describe(heldAfter)).as("started again without the alias: it serves again once up")
                .containsExactly("promote old-1");
    }

    @Test
    void hostPortsForceStopFirst() {
        Application app = DesiredContainersTest.app();
        app.getSpec().getPorts().get(0).setHostPort(8081);
        DesiredState d = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
        RolloutPlan p = plan(d, Set.of("old-1"), previous("old-1", State.RUNNING));
        assertThat(describe(p)).startsWith("demote old-1");
    }

    @Test
    void aRestartingOrUnhealthyNewContainerFailsTheRollout() {
        DesiredState d = desired();
        RolloutPlan restarting = plan(d, Set.of("old-1"), previous("old-1", State.RUNNING), fresh(d, 0, State.RESTARTING, NOW));
        assertThat(restarting.phase()).isEqualTo(Phase.FAILED);
        assertThat(describe(restarting)).containsExactly("remove new-0");

        Application app = DesiredContainersTest.app();
        HealthCheck check = new HealthCheck();
        check.setType(HealthCheck.Type.http);
        app.getSpec().setHealthCheck(check);
        DesiredState withCheck = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
        ObservedContainer unhealthy = new ObservedContainer("new-0", withCheck.containers().get(0).name(), withCheck.image(),
                withCheck.configHash(), State.RUNNING, "unhealthy", NOW.minusSeconds(30), NOW.plusSeconds(60), "dep-2",
                false);
        RolloutPlan p = plan(withCheck, Set.of(), unhealthy);
        assertThat(p.phase()).isEqualTo(Phase.FAILED);
        assertThat(p.failure()).contains("unhealthy");
        assertThat(p.detail()).isEqualTo("nothing serving");
        assertThat(p.previousServes()).isFalse();
    }

    @Test
    void dockerHealthDecidesWhenThereIsACheck() {
        Application app = DesiredContainersTest.app();
        HealthCheck check = new HealthCheck();
        check.setType(HealthCheck.Type.http);
        app.getSpec().setHealthCheck(check);
        DesiredState d = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
        ObservedContainer starting = new ObservedContainer("new-0", d.containers().get(0).name(), d.image(),
                d.configHash(), State.RUNNING, "starting", NOW.minusSeconds(600), NOW.plusSeconds(60), "dep-2", false);
        assertThat(plan(d, Set.of("old-1"), previous("old-1", State.RUNNING), starting).phase()).isEqualTo(Phase.ROLLING_OUT);
        ObservedContainer healthy = new ObservedContainer("new-0", d.containers().get(0).name(), d.image(),
                d.configHash(), State.RUNNING, "healthy", NOW.minusSeconds(1), NOW.plusSeconds(60), "dep-2", false);
        assertThat(plan(d, Set.of("old-1"), previous("old-1", State.RUNNING), healthy).phase()).isEqualTo(Phase.SUCCEEDED);
    }

    @Test
    void theDeadlineOnTheNewContainersEndsTheWait() {
        DesiredState d = desired();
        ObservedContainer late = new ObservedContainer("new-0", d.containers().get(0).name(), d.image(), d.configHash(),
                State.RUNNING, null, NOW.minusMillis(100), NOW.minusSeconds(1), "dep-2", false);
        RolloutPlan p = plan(d, Set.of("old-1"), previous("old-1", State.RUNNING), late);
        assertThat(p.phase()).isEqualTo(Phase.FAILED);
        assertThat(p.failure()).startsWith("not healthy within spec.rollout.healthTimeout (1m): container ");
        assertThat(describe(p)).containsExactly("remove new-0");

        ObservedContainer healthyButLate = new ObservedContainer("new-0", d.containers().get(0).name(), d.image(),
                d.configHash(), State.RUNNING, null, NOW.minusSeconds(10), NOW.minusSeconds(1), "dep-2", false);
        assertThat(plan(d, Set.of("old-1"), previous("old-1", State.RUNNING), healthyButLate).phase())
                .as("healthy when looked at, though the deadline passed meanwhile").isEqualTo(Phase.SUCCEEDED);

        ObservedContainer nearly = new ObservedContainer("new-0", d.containers().get(0).name(), d.image(), d.configHash(),
                State.RUNNING, null, NOW.minusMillis(100), NOW.plusMillis(500), "dep-2", false);
        assertThat(plan(d, Set.of("old-1"), previous("old-1", State.RUNNING), nearly).recheckAt())
                .as("never waits past the deadline").contains(NOW.plusMillis(500));
    }

    @Test
    void leftoversOfAnAbandonedRolloutAreRemoved() {
        DesiredState d = desired();
        ObservedContainer abandoned = new ObservedContainer("mid-1", "shop-web-11111111-0", "x:2", "1111111111111111",
                State.RUNNING, null, NOW, NOW.plusSeconds(10), "dep-1b", false);
        RolloutPlan p = plan(d, Set.of("old-1"), previous("old-1", State.RUNNING), abandoned);
        assertThat(describe(p)).containsExactly("stop mid-1", "remove mid-1", "create " + d.containers().get(0).name());

        RolloutPlan unknownServing = plan(d, Set.of(), previous("old-1", State.RUNNING), abandoned);
        assertThat(describe(unknownServing)).as("without a record of what serves, nothing old is removed early")
                .containsExactly("create " + d.containers().get(0).name());
    }

    @Test
    void aConfigThatFailedIsHeldAndNotRetried() {
        DesiredState d = desired();
        RolloutPlan p = RolloutPlanner.plan(new RolloutPlanner.Input(d,
                List.of(previous("old-1", State.RUNNING), fresh(d, 0, State.RUNNING, NOW)), Set.of("old-1"),
                d.configHash(), false, false, true, NOW));
        assertThat(p.phase()).isEqualTo(Phase.HELD);
        assertThat(describe(p)).containsExactly("remove new-0");

        RolloutPlan quiet = RolloutPlanner.plan(new RolloutPlanner.Input(d, List.of(previous("old-1", State.RUNNING)),
                Set.of("old-1"), d.configHash(), false, false, true, NOW));
        assertThat(quiet.actions()).isEmpty();
        assertThat(quiet.detail()).isEqualTo("1 previous container(s) serving");
    }

    @Test
    void steadyStateWritesNothing() {
        DesiredState d = desired(2, ApplicationSpec.Strategy.Rolling);
        RolloutPlan p = plan(d, Set.of("new-0", "new-1"), serving(d, 0, NOW.minusSeconds(60)),
                serving(d, 1, NOW.minusSeconds(60)));
        assertThat(p.phase()).isEqualTo(Phase.RUNNING);
        assertThat(p.actions()).isEmpty();
        assertThat(p.drift()).isEmpty();
        assertThat(p.recheckAt()).isEmpty();
        assertThat(p.writes()).isFalse();
    }

    @Test
    void driftIsRepaired() {
        DesiredState d = desired(2, ApplicationSpec.Strategy.Rolling);
        RolloutPlan stopped = plan(d, Set.of("new-0", "new-1"), fresh(d, 0, State.EXITED, NOW.minusSeconds(60)),
                serving(d, 1, NOW.minusSeconds(60)));
        assertThat(stopped.phase()).isEqualTo(Phase.STARTING);
        assertThat(describe(stopped)).containsExactly("start new-0");
        assertThat(stopped.drift()).containsExactly(new Drift(Drift.Kind.STOPPED, d.containers().get(0).name()));

        RolloutPlan removed = plan(d, Set.of("new-0", "new-1"), serving(d, 1, NOW.minusSeconds(60)));
        assertThat(describe(removed)).containsExactly("create " + d.containers().get(0).name());
        assertThat(removed.drift()).containsExactly(new Drift(Drift.Kind.REMOVED, d.containers().get(0).name()));
        assertThat(removed.drift().get(0).describe()).isEqualTo("container " + d.containers().get(0).name() + " was removed");

        ObservedContainer otherImage = new ObservedContainer("new-1", d.containers().get(1).name(), "evil:1",
                d.configHash(), State.RUNNING, null, NOW.minusSeconds(60), null, null);
        RolloutPlan changed = plan(d, Set.of("new-0", "new-1"), serving(d, 0, NOW.minusSeconds(60)), otherImage);
        assertThat(describe(changed)).containsExactly("remove new-1", "create " + d.containers().get(1).name());
        assertThat(changed.drift()).extracting(Drift::kind).containsExactly(Drift.Kind.CHANGED);
    }

    @Test
    void driftRepairWaitsDuringBackoff() {
        DesiredState d = desired();
        RolloutPlan p = RolloutPlanner.plan(new RolloutPlanner.Input(d, List.of(fresh(d, 0, State.EXITED, NOW)),
                Set.of("new-0"), null, false, false, false, NOW));
        assertThat(p.phase()).isEqualTo(Phase.DRIFT_BACKOFF);
        assertThat(p.actions()).isEmpty();
        assertThat(p.servingNew()).as("the record of what serves is kept until the repair").isFalse();
        assertThat(p.drift()).hasSize(1);
    }

    @Test
    void scalingIsNotDrift() {
        DesiredState two = desired(2, ApplicationSpec.Strategy.Rolling);
        RolloutPlan up = plan(two, Set.of("new-0"), serving(two, 0, NOW.minusSeconds(60)));
        assertThat(describe(up)).containsExactly("create " + two.containers().get(1).name());
        assertThat(up.drift()).isEmpty();
        RolloutPlan upHealthy = plan(two, Set.of("new-0"), serving(two, 0, NOW.minusSeconds(60)),
                fresh(two, 1, State.RUNNING, NOW.minusSeconds(6)));
        assertThat(describe(upHealthy)).as("the new replica serves once healthy").containsExactly("promote new-1");
        assertThat(upHealthy.phase()).isEqualTo(Phase.RUNNING);
        RolloutPlan upStarting = plan(two, Set.of("new-0"), serving(two, 0, NOW.minusSeconds(60)),
                fresh(two, 1, State.RUNNING, NOW.minusSeconds(1)));
        assertThat(upStarting.actions()).as("not before").isEmpty();
        assertThat(upStarting.phase()).isEqualTo(Phase.STARTING);

        DesiredState one = desired();
        RolloutPlan down = plan(one, Set.of("new-0", "new-1"), serving(two, 0, NOW.minusSeconds(60)),
                serving(two, 1, NOW.minusSeconds(60)));
        assertThat(describe(down)).as("the replica scaled away drains first").containsExactly("demote new-1");
        assertThat(down.drift()).isEmpty();
        assertThat(down.phase()).isEqualTo(Phase.RUNNING);
        assertThat(down.draining()).isEqualTo(1);
    }

    @Test
    void suspendStopsAndKeepsAndAbandonsARolloutInProgress() {
        DesiredState d = desired();
        RolloutPlan steady = RolloutPlanner.plan(new RolloutPlanner.Input(d, List.of(serving(d, 0, NOW)),
                Set.of("new-0"), null, true, false, true, NOW));
        assertThat(steady.phase()).isEqualTo(Phase.SUSPENDED);
        assertThat(describe(steady)).containsExactly("demote new-0");
        RolloutPlan drained = RolloutPlanner.plan(new RolloutPlanner.Input(d,
                List.of(serving(d, 0, NOW).withServing(false)), Set.of("new-0"), null, true, false, true,
                NOW.plusSeconds(10), Map.of("new-0", NOW.plusSeconds(10))));
        assertThat(describe(drained)).as("stopped and kept").containsExactly("stop new-0");

        RolloutPlan midRollout = RolloutPlanner.plan(new RolloutPlanner.Input(d,
                List.of(previous("old-1", State.RUNNING), fresh(d, 0, State.RUNNING, NOW)), Set.of("old-1"), null, true,
                false, true, NOW));
        assertThat(describe(midRollout)).containsExactly("remove new-0", "demote old-1");

        RolloutPlan resumed = RolloutPlanner.plan(new RolloutPlanner.Input(d, List.of(fresh(d, 0, State.EXITED, NOW)),
                Set.of("new-0"), null, false, true, true, NOW));
        assertThat(describe(resumed)).containsExactly("start new-0");
        assertThat(resumed.drift()).as("starting after suspend is not drift").isEmpty();
    }

    @Test
    void unhealthyInSteadyStateIsReported() {
        Application app = DesiredContainersTest.app();
        HealthCheck check = new HealthCheck();
        check.setType(HealthCheck.Type.http);
        app.getSpec().setHealthCheck(check);
        DesiredState d = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
        ObservedContainer sick = new ObservedContainer("new-0", d.containers().get(0).name(), d.image(), d.configHash(),
                State.RUNNING, "unhealthy", NOW.minusSeconds(600), null, null);
        RolloutPlan p = plan(d, Set.of("new-0"), sick);
        assertThat(p.phase()).isEqualTo(Phase.UNHEALTHY);
        assertThat(p.actions()).isEmpty();
        assertThat(p.detail()).contains("health unhealthy");
    }

    /** No health check, startPeriod 0s: healthy the moment it runs. */
    private static DesiredState readyOnceRunning(int replicas, ApplicationSpec.Strategy strategy) {
        Application app = DesiredContainersTest.app();
        app.getSpec().setReplicas(replicas);
        app.getSpec().getRollout().setStrategy(strategy);
        app.getSpec().getRollout().setHealthTimeout("1m");
        HealthCheck check = new HealthCheck();
        check.setType(HealthCheck.Type.none);
        check.setStartPeriod("0s");
        app.getSpec().setHealthCheck(check);
        return DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
    }

    private static RolloutPlanner.Input input(DesiredState d, Set<String> serving, ObservedContainer... observed) {
        return new RolloutPlanner.Input(d, Arrays.asList(observed), serving, null, false, false, true, NOW);
    }

    /** A new container as inspected right after its start (the host's clock: started a moment ago). */
    private static ObservedContainer startedNow(DesiredState d, int replica, State state) {
        return new ObservedContainer("new-" + replica, d.containers().get(replica).name(), d.image(), d.configHash(),
                state, null, NOW.minusMillis(50), NOW.plusSeconds(60), "dep-2", false);
    }

    @Test
    void withNothingToWaitForTheFirstDeployFinishesInTheLookThatStartsIt() {
        DesiredState d = readyOnceRunning(2, ApplicationSpec.Strategy.Rolling);
        RolloutPlanner.Input in = input(d, Set.of());
        RolloutPlan first = RolloutPlanner.plan(in);
        assertThat(first.phase()).isEqualTo(Phase.ROLLING_OUT);
        assertThat(RolloutPlanner.healthyOnceRunning(d, first)).isTrue();

        var done = RolloutPlanner.finishInSameLook(in, first,
                List.of(startedNow(d, 0, State.RUNNING), startedNow(d, 1, State.RUNNING)), NOW);
        assertThat(done).hasValueSatisfying(p -> {
            assertThat(p.phase()).isEqualTo(Phase.SUCCEEDED);
            assertThat(describe(p)).containsExactly("promote new-0", "promote new-1");
            assertThat(p.servingNew()).isTrue();
        });
    }

    @Test
    void withNothingToWaitForARollingUpdateRemovesThePreviousVersionInTheSameLook() {
        DesiredState d = readyOnceRunning(1, ApplicationSpec.Strategy.Rolling);
        RolloutPlanner.Input in = input(d, Set.of("old-1"), previous("old-1", State.RUNNING));
        RolloutPlan first = RolloutPlanner.plan(in);
        assertThat(describe(first)).containsExactly("create " + d.containers().get(0).name());

        var done = RolloutPlanner.finishInSameLook(in, first, List.of(startedNow(d, 0, State.RUNNING)), NOW);
        assertThat(done).hasValueSatisfying(p -> {
            assertThat(p.phase()).isEqualTo(Phase.SUCCEEDED);
            assertThat(describe(p)).containsExactly("promote new-0", "demote old-1");
        });
    }

    @Test
    void withNothingToWaitForStopFirstRemovesTheStoppedPreviousVersionInTheSameLook() {
        DesiredState d = readyOnceRunning(1, ApplicationSpec.Strategy.Recreate);
        RolloutPlanner.Input in = new RolloutPlanner.Input(d, List.of(previous("old-1", State.RUNNING).withServing(false)),
                Set.of("old-1"), null, false, false, true, NOW, Map.of("old-1", NOW));
        RolloutPlan first = RolloutPlanner.plan(in);
        assertThat(describe(first)).containsExactly("stop old-1", "create " + d.containers().get(0).name());

        List<ObservedContainer> after = RolloutPlanner.afterActions(in.observed(), first.actions(),
                List.of(startedNow(d, 0, State.RUNNING)));
        assertThat(after).extracting(ObservedContainer::id, ObservedContainer::state)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("old-1", State.EXITED),
                        org.assertj.core.groups.Tuple.tuple("new-0", State.RUNNING));
        var done = RolloutPlanner.finishInSameLook(in, first, List.of(startedNow(d, 0, State.RUNNING)), NOW);
        assertThat(done.map(RolloutPlannerTest::describe)).contains(List.of("promote new-0", "remove old-1"));
    }

    @Test
    void aCreatedButNotStartedContainerStartedInTheLookFinishesItToo() {
        DesiredState d = readyOnceRunning(1, ApplicationSpec.Strategy.Rolling);
        RolloutPlanner.Input in = input(d, Set.of(), fresh(d, 0, State.CREATED, null));
        RolloutPlan first = RolloutPlanner.plan(in);
        assertThat(describe(first)).containsExactly("start new-0");
        assertThat(RolloutPlanner.finishInSameLook(in, first, List.of(startedNow(d, 0, State.RUNNING)), NOW)
                .map(RolloutPlan::phase)).contains(Phase.SUCCEEDED);
    }

    @Test
    void theSameLookFinishesNothingUnlessEveryNewContainerIsSeenRunning() {
        DesiredState d = readyOnceRunning(2, ApplicationSpec.Strategy.Rolling);
        RolloutPlanner.Input in = input(d, Set.of("old-1"), previous("old-1", State.RUNNING));
        RolloutPlan first = RolloutPlanner.plan(in);
        assertThat(RolloutPlanner.finishInSameLook(in, first, List.of(startedNow(d, 0, State.RUNNING)), NOW))
                .as("one of two seen (the other was gone when inspected)").isEmpty();
        assertThat(RolloutPlanner.finishInSameLook(in, first,
                List.of(startedNow(d, 0, State.RUNNING), startedNow(d, 1, State.EXITED)), NOW))
                .as("exited at once: the next look judges it, as before").isEmpty();
        assertThat(RolloutPlanner.finishInSameLook(in, first,
                List.of(startedNow(d, 0, State.RUNNING), startedNow(d, 1, State.RESTARTING)), NOW)).isEmpty();
        ObservedContainer aheadOfUs = new ObservedContainer("new-1", d.containers().get(1).name(), d.image(),
                d.configHash(), State.RUNNING, null, NOW.plusSeconds(1), NOW.plusSeconds(60), "dep-2", false);
        assertThat(RolloutPlanner.finishInSameLook(in, first, List.of(startedNow(d, 0, State.RUNNING), aheadOfUs), NOW))
                .as("the host's clock ahead of ours: not running 'for 0 s' yet by ours; the next look decides")
                .isEmpty();
    }

    @Test
    void aStartPeriodOrAHealthCheckMeansTheNextLookDecides() {
        DesiredState withStartPeriod = desired(); // the default start period, 5 s
        RolloutPlan first = RolloutPlanner.plan(input(withStartPeriod, Set.of()));
        assertThat(RolloutPlanner.healthyOnceRunning(withStartPeriod, first)).isFalse();
        assertThat(RolloutPlanner.finishInSameLook(input(withStartPeriod, Set.of()), first,
                List.of(startedNow(withStartPeriod, 0, State.RUNNING)), NOW)).isEmpty();
        assertThat(first.recheckAt()).contains(NOW.plus(RolloutPlanner.POLL));

        Application app = DesiredContainersTest.app();
        HealthCheck check = new HealthCheck();
        check.setType(HealthCheck.Type.http);
        check.setStartPeriod("0s");
        app.getSpec().setHealthCheck(check);
        DesiredState withCheck = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
        assertThat(RolloutPlanner.healthyOnceRunning(withCheck, RolloutPlanner.plan(input(withCheck, Set.of()))))
                .as("Docker's health status decides").isFalse();
    }

    @Test
    void onlyALookThatStartsSomethingOfARolloutLooksTwice() {
        DesiredState d = readyOnceRunning(1, ApplicationSpec.Strategy.Rolling);
        RolloutPlan steady = plan(d, Set.of("new-0"), serving(d, 0, NOW.minusSeconds(60)));
        assertThat(steady.phase()).isEqualTo(Phase.RUNNING);
        assertThat(RolloutPlanner.healthyOnceRunning(d, steady)).isFalse();
        RolloutPlan repair = plan(d, Set.of("new-0"), fresh(d, 0, State.EXITED, NOW.minusSeconds(60)));
        assertThat(repair.phase()).isEqualTo(Phase.STARTING);
        assertThat(RolloutPlanner.healthyOnceRunning(d, repair))
                .as("a start in steady state (repair, scale-up) is finished in the same look too").isTrue();
        RolloutPlan failed = plan(d, Set.of("old-1"), previous("old-1", State.EXITED), fresh(d, 0, State.EXITED, NOW));
        assertThat(failed.phase()).isEqualTo(Phase.FAILED);
        assertThat(RolloutPlanner.healthyOnceRunning(d, failed)).isFalse();
    }

    @Test
    void afterActionsDropsTheRemovedAndKeepsWhatWasNotTouched() {
        DesiredState d = readyOnceRunning(1, ApplicationSpec.Strategy.Rolling);
        ObservedContainer stale = new ObservedContainer("mid-1", "shop-web-11111111-0", "x:2", "1111111111111111",
                State.RUNNING, null, NOW, NOW.plusSeconds(10), "dep-1b");
        List<ObservedContainer> after = RolloutPlanner.afterActions(
                List.of(previous("old-1", State.RUNNING), stale),
                List.of(new Remove("mid-1", stale.name(), "left over"), new Create(d.containers().get(0))),
                List.of(startedNow(d, 0, State.RUNNING)));
        assertThat(after).extracting(ObservedContainer::id).containsExactlyInAnyOrder("old-1", "new-0");
        assertThat(after).filteredOn(c -> c.id().equals("old-1")).extracting(ObservedContainer::state)
                .containsExactly(State.RUNNING);
    }

    @Test
    void rolloutLabelsCarryTheDeploymentAndDeadline() {
        ContainerSpec template = desired().containers().get(0);
        ContainerSpec labelled = RolloutPlan.forRollout(template, "dep-9", NOW.plus(Duration.ofMinutes(1)));
        assertThat(labelled.labels()).containsEntry(RolloutPlan.LABEL_DEPLOYMENT, "dep-9")
                .containsEntry(RolloutPlan.LABEL_DEADLINE, "2026-11-26T10:01:00Z")
                .containsAllEntriesOf(template.labels());
        assertThat(ObservedContainer.instant("2026-11-26T10:01:00Z")).isEqualTo(NOW.plusSeconds(60));
        assertThat(ObservedContainer.instant("garbage")).isNull();
    }
}
