package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.database.DatabasePlan.Create;
import dev.berth.controller.database.DatabasePlan.CreateVolume;
import dev.berth.controller.database.DatabasePlan.Phase;
import dev.berth.controller.database.DatabasePlan.Remove;
import dev.berth.controller.database.DatabasePlan.Start;
import dev.berth.controller.database.DatabasePlan.Step;
import dev.berth.controller.database.DatabasePlan.Stop;
import dev.berth.controller.host.ObservedContainer;
import dev.berth.controller.host.ObservedContainer.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The one-container plan of a database, rule by rule, as a user of Berth would describe each case. */
class DatabasePlannerTest {
    private static final Instant NOW = Instant.parse("2026-12-02T01:00:00Z");
    private static final String PASSWORD = "pw-7Yq2Lm9Xc4Vb8Nn3Kd6Ts1Rf5Gh0Jw";

    // --- the desired container and what is on the host -----------------------------------------------------------

    private static DesiredDatabase desired(DatabaseEngine engine, Consumer<StandaloneDatabaseSpec> spec) {
        return DesiredDatabase.compute(DesiredDatabaseTest.database(engine, spec),
                DesiredDatabaseTest.login(engine, PASSWORD), "berth");
    }

    private static DesiredDatabase postgres(String image) {
        return desired(DatabaseEngine.POSTGRESQL, s -> s.setImage(image));
    }

    private static DesiredDatabase postgres(String image, Map<String, String> config) {
        return desired(DatabaseEngine.POSTGRESQL, s -> {
            s.setImage(image);
            s.setConfig(config);
        });
    }

    /** A container of {@code d}'s configuration in {@code state}, started {@code ago} before now (null: never). */
    private static ObservedContainer container(String id, DesiredDatabase d, State state, Duration ago,
            String health) {
        return new ObservedContainer(id, d.container().name(), d.image(), d.configHash(), state, health,
                ago == null ? null : NOW.minus(ago), null, null);
    }

    private static ObservedContainer running(String id, DesiredDatabase d, Duration ago) {
        return container(id, d, State.RUNNING, ago, "healthy");
    }

    private static ObservedContainer exited(String id, DesiredDatabase d, Duration ago) {
        return container(id, d, State.EXITED, ago, null);
    }

    /** What one look found; by default the volume is there and nothing else is known. */
    private static final class Look {
        DesiredDatabase desired;
        List<ObservedContainer> observed = new ArrayList<>();
        boolean volumeExists = true;
        String lastReadyHash;
        String lastImage;
        String failedHash;
        boolean suspend;
        boolean wasSuspended;
        Boolean answers;

        Look(DesiredDatabase desired) {
            this.desired = desired;
        }

        Look with(ObservedContainer... containers) {
            observed.addAll(List.of(containers));
            return this;
        }

        Look lastReady(DesiredDatabase d) {
            lastReadyHash = d.configHash();
            lastImage = d.image();
            return this;
        }

        Look failed(DesiredDatabase d) {
            failedHash = d.configHash();
            return this;
        }

        Look answers(Boolean now) {
            answers = now;
            return this;
        }

        Look noVolume() {
            volumeExists = false;
            return this;
        }

        Look suspended() {
            suspend = true;
            return this;
        }

        Look resumed() {
            wasSuspended = true;
            return this;
        }

        DatabasePlanner.Input input() {
            return new DatabasePlanner.Input(desired, observed, volumeExists, lastReadyHash, lastImage, failedHash,
                    suspend, answers, NOW, wasSuspended);
        }

        DatabasePlan plan() {
            DatabasePlan plan = DatabasePlanner.plan(input());
            assertOneEngineOnTheVolume(plan);
            return plan;
        }
    }

    private static Look look(DesiredDatabase d) {
        return new Look(d);
    }

    /** Whatever the plan: nothing is created or started before every Stop has run. */
    private static void assertOneEngineOnTheVolume(DatabasePlan plan) {
        int lastStop = -1;
        int firstStart = Integer.MAX_VALUE;
        for (int i = 0; i < plan.steps().size(); i++) {
            Step s = plan.steps().get(i);
            if (s instanceof Stop) {
                lastStop = i;
            }
            if ((s instanceof Create || s instanceof Start) && firstStart == Integer.MAX_VALUE) {
                firstStart = i;
            }
        }
        assertThat(lastStop).as("every Stop comes before the first Create/Start in %s", plan.steps())
                .isLessThan(firstStart);
    }

    private static Start startNew(DesiredDatabase d) {
        return new Start(null, d.container().name());
    }

    private static Stop stop(ObservedContainer c) {
        return new Stop(c.id(), c.name());
    }

    private static Remove remove(ObservedContainer c) {
        return new Remove(c.id(), c.name());
    }

    private static Start start(ObservedContainer c) {
        return new Start(c.id(), c.name());
    }

    private static final DesiredDatabase PG15 = postgres("postgres:15.4");
    private static final DesiredDatabase PG15_TUNED = postgres("postgres:15.4", Map.of("max_connections", "300"));

    // --- steady state -------------------------------------------------------------------------------------------

    @Test
    void aRunningHealthyDatabaseIsReadyWithNothingToDo() {
        ObservedContainer c = running("c1", PG15, Duration.ofHours(3));
        Look look = look(PG15).with(c).lastReady(PG15);
        DatabasePlan plan = look.plan();
        assertThat(plan.phase()).isEqualTo(Phase.READY);
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.ready()).isEqualTo(c);
        assertThat(plan.failing()).isNull();
        assertThat(plan.rolledBack()).isFalse();
        assertThat(plan.drift()).isNull();
        assertThat(plan.recheck()).isEmpty();
        // The same look again gives the same plan: nothing to do, nothing to write.
        assertThat(look.plan()).isEqualTo(plan);
    }

    @Test
    void aRunningDatabaseWithoutDockerHealthYetIsReadyOnceItAnsweredHere() {
        ObservedContainer c = container("c1", PG15, State.RUNNING, Duration.ofSeconds(2), null);
        assertThat(look(PG15).with(c).lastReady(PG15).plan().phase()).isEqualTo(Phase.READY);
        ObservedContainer checking = container("c1", PG15, State.RUNNING, Duration.ofSeconds(2), "starting");
        assertThat(look(PG15).with(checking).lastReady(PG15).plan().phase()).isEqualTo(Phase.READY);
    }

    // --- first start and the volume -----------------------------------------------------------------------------

    @Test
    void aDatabaseThatNeverRanGetsItsVolumeThenItsContainer() {
        DatabasePlan plan = look(PG15).noVolume().plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).containsExactly(new CreateVolume("berth-shop-orders-data"), new Create(),
                startNew(PG15));
        assertThat(plan.recheck()).contains(DatabasePlanner.FAST_POLL);
        assertThat(plan.drift()).isNull();
    }

    @Test
    void aDatabaseRecreatedOnARetainedVolumeStartsOnItWithoutMakingOne() {
        DatabasePlan plan = look(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).containsExactly(new Create(), startNew(PG15));
        assertThat(plan.drift()).isNull();
    }

    @Test
    void aRemovedVolumeAfterTheDatabaseRanStartsNothing() {
        DatabasePlan plan = look(PG15).noVolume().lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.VOLUME_MISSING);
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.detail()).contains("berth-shop-orders-data");
        assertThat(plan.recheck()).isEmpty();
    }

    @Test
    void aRemovedVolumeWithAContainerStillThereStartsNothingEither() {
        // No configuration was ever ready, but a container ran on the volume: it may have written data.
        ObservedContainer c = exited("c1", PG15, Duration.ofMinutes(1));
        DatabasePlan plan = look(PG15).with(c).noVolume().plan();
        assertThat(plan.phase()).isEqualTo(Phase.VOLUME_MISSING);
        assertThat(plan.steps()).isEmpty();
    }

    // --- a settings change: one container per volume -------------------------------------------------------------

    @Test
    void aSettingsChangeStopsTheOldContainerBeforeTheNewOneStarts() {
        ObservedContainer old = running("old", PG15, Duration.ofHours(1));
        DatabasePlan plan = look(PG15_TUNED).with(old).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).containsExactly(stop(old), new Create(), startNew(PG15_TUNED));
        assertThat(plan.recheck()).as("a start: the next look soon").contains(DatabasePlanner.FAST_POLL);
        assertThat(plan.drift()).isNull();
    }

    @Test
    void aSettingsChangeKeepsTheOldContainerUntilTheNewOneAnswersThenRemovesIt() {
        ObservedContainer old = exited("old", PG15, Duration.ofHours(1));
        ObservedContainer fresh = container("new", PG15_TUNED, State.RUNNING, Duration.ofSeconds(3), "starting");

        DatabasePlan waiting = look(PG15_TUNED).with(old, fresh).lastReady(PG15).answers(false).plan();
        assertThat(waiting.phase()).isEqualTo(Phase.STARTING);
        assertThat(waiting.steps()).as("the old one is kept while the new one starts").isEmpty();

        DatabasePlan answered = look(PG15_TUNED).with(old, fresh).lastReady(PG15).answers(true).plan();
        assertThat(answered.phase()).isEqualTo(Phase.READY);
        assertThat(answered.ready()).isEqualTo(fresh);
        assertThat(answered.steps()).containsExactly(remove(old));
    }

    @Test
    void everyOtherContainerGoesOnceTheDatabaseAnswersRunningOnesStoppedFirst() {
        ObservedContainer older = exited("older", postgres("postgres:15.4", Map.of("work_mem", "8MB")),
                Duration.ofDays(2));
        ObservedContainer startedByHand = running("old", PG15, Duration.ofMinutes(1));
        ObservedContainer fresh = running("new", PG15_TUNED, Duration.ofMinutes(2));
        DatabasePlan plan = look(PG15_TUNED).with(older, startedByHand, fresh).lastReady(PG15).answers(true).plan();
        assertThat(plan.phase()).isEqualTo(Phase.READY);
        assertThat(plan.steps()).containsExactly(stop(startedByHand), remove(startedByHand), remove(older));
    }

    // --- failure and rollback -----------------------------------------------------------------------------------

    @Test
    void aBadConfigThatExitsRollsBackToThePreviousContainer() {
        ObservedContainer old = exited("old", PG15, Duration.ofHours(1));
        ObservedContainer bad = exited("bad", PG15_TUNED, Duration.ofSeconds(5));
        DatabasePlan plan = look(PG15_TUNED).with(old, bad).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.failing()).isEqualTo(bad);
        assertThat(plan.steps()).containsExactly(remove(bad), start(old));
        assertThat(plan.rolledBack()).isTrue();
        assertThat(plan.detail()).contains("exited before it accepted a connection")
                .contains("previous configuration was started again");
    }

    @Test
    void aBadConfigThatNeverAnswersIsStoppedAndRolledBackAfterTheStartTimeout() {
        ObservedContainer old = exited("old", PG15, Duration.ofHours(1));
        ObservedContainer slow = container("slow", PG15_TUNED, State.RUNNING, Duration.ofMinutes(5), "unhealthy");
        DatabasePlan plan = look(PG15_TUNED).with(old, slow).lastReady(PG15).answers(false).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.failing()).isEqualTo(slow);
        assertThat(plan.steps()).containsExactly(stop(slow), remove(slow), start(old));
        assertThat(plan.rolledBack()).isTrue();
        assertThat(plan.detail()).contains("within 300s");
    }

    @Test
    void notAnsweringBeforeTheStartTimeoutIsStillStartingWithAHalfSecondRecheck() {
        ObservedContainer old = exited("old", PG15, Duration.ofHours(1));
        ObservedContainer slow = container("slow", PG15_TUNED, State.RUNNING,
                Duration.ofMinutes(5).minusMillis(1), "starting");
        DatabasePlan plan = look(PG15_TUNED).with(old, slow).lastReady(PG15).answers(false).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.ready()).isEqualTo(slow);
        assertThat(plan.failing()).isNull();
        assertThat(plan.recheck()).contains(Duration.ofMillis(500));
    }

    @Test
    void aRunningContainerWithoutAStartTimeIsGivenTime() {
        ObservedContainer fresh = container("new", PG15, State.RUNNING, null, null);
        DatabasePlan plan = look(PG15).with(fresh).answers(false).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).isEmpty();
    }

    @Test
    void theFirstStartThatFailsRemovesItsContainerAndHasNothingToGoBackTo() {
        ObservedContainer bad = exited("bad", PG15, Duration.ofSeconds(5));
        DatabasePlan plan = look(PG15).with(bad).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.steps()).containsExactly(remove(bad));
        assertThat(plan.rolledBack()).isFalse();
        assertThat(plan.detail()).isEqualTo("the engine exited before it accepted a connection");
    }

    @Test
    void anImageChangeThatFailsLeavesTheDatabaseStopped() {
        DesiredDatabase minor = postgres("postgres:15.8");
        ObservedContainer old = exited("old", PG15, Duration.ofHours(1));
        ObservedContainer bad = exited("bad", minor, Duration.ofSeconds(5));
        DatabasePlan plan = look(minor).with(old, bad).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.steps()).containsExactly(remove(bad));
        assertThat(plan.rolledBack()).isFalse();
        assertThat(plan.detail()).contains("the image changed").contains("stays stopped");
    }

    @Test
    void rollbackGoesToTheConfigurationThatWasLastReadyEvenWhenAnotherIsNewer() {
        DesiredDatabase tried = postgres("postgres:15.4", Map.of("work_mem", "8MB"));
        ObservedContainer ready = exited("ready", PG15, Duration.ofHours(2));
        ObservedContainer newerNeverReady = exited("tried", tried, Duration.ofHours(1));
        ObservedContainer bad = exited("bad", PG15_TUNED, Duration.ofSeconds(5));
        DatabasePlan plan = look(PG15_TUNED).with(newerNeverReady, bad, ready).lastReady(PG15).plan();
        assertThat(plan.steps()).containsExactly(remove(bad), start(ready));
        assertThat(DatabasePlanner.rollbackTarget(look(PG15_TUNED).with(newerNeverReady, ready).lastReady(PG15)
                .input(), List.of(newerNeverReady, ready))).contains(ready);
    }

    @Test
    void aFailedConfigurationIsNotTriedAgainUntilTheSpecChanges() {
        ObservedContainer old = running("old", PG15, Duration.ofMinutes(1));
        DatabasePlan plan = look(PG15_TUNED).with(old).lastReady(PG15).failed(PG15_TUNED).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.steps()).as("no new container, the previous one keeps running").isEmpty();
        assertThat(plan.ready()).isEqualTo(old);
        assertThat(plan.rolledBack()).isTrue();
        assertThat(plan.recheck()).isEmpty();
    }

    @Test
    void aHeldFailedConfigurationStartsThePreviousContainerAgainWhenItWasStopped() {
        ObservedContainer old = exited("old", PG15, Duration.ofMinutes(1));
        DatabasePlan plan = look(PG15_TUNED).with(old).lastReady(PG15).failed(PG15_TUNED).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.steps()).containsExactly(start(old));
        assertThat(plan.rolledBack()).isTrue();
    }

    @Test
    void aHeldFailedImageChangeLeavesThePreviousContainerStopped() {
        DesiredDatabase minor = postgres("postgres:15.8");
        ObservedContainer old = exited("old", PG15, Duration.ofMinutes(1));
        DatabasePlan plan = look(minor).with(old).lastReady(PG15).failed(minor).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.ready()).isNull();
        assertThat(plan.rolledBack()).isFalse();
    }

    @Test
    void aHeldFailedFirstStartDoesNothing() {
        DatabasePlan plan = look(PG15).failed(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.steps()).isEmpty();
    }

    @Test
    void revertingTheSpecAfterAFailureIsReadyOnThePreviousContainer() {
        ObservedContainer old = running("old", PG15, Duration.ofMinutes(1));
        DatabasePlan plan = look(PG15).with(old).lastReady(PG15).failed(PG15_TUNED).plan();
        assertThat(plan.phase()).isEqualTo(Phase.READY);
        assertThat(plan.steps()).isEmpty();
    }

    // --- PostgreSQL major versions ------------------------------------------------------------------------------

    @Test
    void postgresql15To16IsRefusedAndTheRunningDatabaseLeftAlone() {
        DesiredDatabase pg16 = postgres("postgres:16");
        ObservedContainer old = running("old", PG15, Duration.ofHours(1));
        DatabasePlan plan = look(pg16).with(old).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.MAJOR_UPGRADE_REFUSED);
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.detail()).contains("PostgreSQL 15").contains("PostgreSQL 16").contains("postgres:15.4");
    }

    @Test
    void postgresqlMajorChangeIsRefusedFromStatusWhenNoContainerIsLeft() {
        DesiredDatabase pg16 = postgres("postgres:16.2");
        DatabasePlan plan = look(pg16).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.MAJOR_UPGRADE_REFUSED);
        assertThat(plan.steps()).isEmpty();
    }

    @Test
    void postgresqlDowngradeOfTheMajorIsRefusedToo() {
        DesiredDatabase pg18 = postgres("postgres:18");
        DesiredDatabase pg17 = postgres("postgres:17");
        ObservedContainer old = running("old", pg18, Duration.ofHours(1));
        assertThat(look(pg17).with(old).lastReady(pg18).plan().phase()).isEqualTo(Phase.MAJOR_UPGRADE_REFUSED);
    }

    @Test
    void postgresql15_4To15_8Proceeds() {
        DesiredDatabase minor = postgres("postgres:15.8");
        ObservedContainer old = running("old", PG15, Duration.ofHours(1));
        DatabasePlan plan = look(minor).with(old).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).containsExactly(stop(old), new Create(), startNew(minor));
    }

    @Test
    void postgresqlDataOfAKnownMajorIsNotHandedToAnImageWhoseTagNamesNone() {
        // Such an image gets 18's data directory: on 15's data it would start an empty database beside it.
        ObservedContainer old = running("old", PG15, Duration.ofHours(1));
        for (String image : List.of("postgres:latest", "postgres", "postgres@sha256:0123456789abcdef",
                "registry.local:5000/postgres")) {
            DatabasePlan plan = look(postgres(image)).with(old).lastReady(PG15).plan();
            assertThat(plan.phase()).as(image).isEqualTo(Phase.MAJOR_UPGRADE_REFUSED);
            assertThat(plan.steps()).as(image).isEmpty();
            assertThat(plan.detail()).contains("PostgreSQL 15").contains(image).contains(":15@sha256:");
        }
        assertThat(look(postgres("postgres:15@sha256:0123456789abcdef")).with(old).lastReady(PG15).plan().phase())
                .isEqualTo(Phase.STARTING);
    }

    @Test
    void aPostgresqlDatabaseWhoseVersionIsUnknownIsNotJudged() {
        DesiredDatabase digest = postgres("postgres@sha256:0123456789abcdef");
        ObservedContainer old = running("old", digest, Duration.ofHours(1));
        assertThat(look(PG15_TUNED).with(old).lastReady(digest).plan().phase()).isEqualTo(Phase.STARTING);
        assertThat(look(digest).plan().phase()).as("a first start").isEqualTo(Phase.STARTING);
    }

    @Test
    void otherEnginesMajorChangesAreTheEnginesOwnBusiness() {
        DesiredDatabase mysql80 = desired(DatabaseEngine.MYSQL, s -> s.setImage("mysql:8.0"));
        DesiredDatabase mysql84 = desired(DatabaseEngine.MYSQL, s -> s.setImage("mysql:8.4"));
        ObservedContainer old = running("old", mysql80, Duration.ofHours(1));
        assertThat(look(mysql84).with(old).lastReady(mysql80).plan().steps())
                .containsExactly(stop(old), new Create(), startNew(mysql84));

        DesiredDatabase redis7 = desired(DatabaseEngine.REDIS, s -> s.setImage("redis:7.4"));
        DesiredDatabase redis8 = desired(DatabaseEngine.REDIS, s -> s.setImage("redis:8.0"));
        ObservedContainer r = running("r", redis7, Duration.ofHours(1));
        assertThat(look(redis8).with(r).lastReady(redis7).plan().phase()).isEqualTo(Phase.STARTING);
    }

    // --- unhealthy and drift ------------------------------------------------------------------------------------

    @Test
    void aContainerThatAnsweredBeforeAndNowIsUnhealthyIsLeftRunning() {
        ObservedContainer sick = container("c1", PG15, State.RUNNING, Duration.ofDays(3), "unhealthy");
        DatabasePlan asked = look(PG15).with(sick).lastReady(PG15).answers(false).plan();
        assertThat(asked.phase()).isEqualTo(Phase.UNHEALTHY);
        assertThat(asked.steps()).isEmpty();
        assertThat(asked.ready()).isEqualTo(sick);
        assertThat(asked.failing()).isNull();

        DatabasePlan notAsked = look(PG15).with(sick).lastReady(PG15).plan();
        assertThat(notAsked.phase()).isEqualTo(Phase.UNHEALTHY);
        assertThat(notAsked.steps()).isEmpty();
        assertThat(notAsked.recheck()).contains(Duration.ofSeconds(10));
    }

    @Test
    void aContainerThatAnsweredBeforeAndWasJustStartedAgainIsStartingNotReadyNorUnhealthy() {
        ObservedContainer back = container("c1", PG15, State.RUNNING, Duration.ofSeconds(2), "starting");
        DatabasePlan plan = look(PG15).with(back).lastReady(PG15).answers(false).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.recheck()).contains(DatabasePlanner.POLL);
    }

    @Test
    void aStartingEngineIsLookedAtOftenAtFirstThenEvery500Ms() {
        for (long ms : new long[] {0, 1_999, 2_000, 60_000}) {
            ObservedContainer c = container("c1", PG15, State.RUNNING, Duration.ofMillis(ms), "starting");
            DatabasePlan plan = look(PG15).with(c).answers(false).plan();
            assertThat(plan.phase()).isEqualTo(Phase.STARTING);
            assertThat(plan.recheck()).as("started %d ms ago", ms)
                    .contains(ms < 2_000 ? DatabasePlanner.FAST_POLL : DatabasePlanner.POLL);
        }
        assertThat(look(PG15).plan().recheck()).as("first start").contains(DatabasePlanner.FAST_POLL);
    }

    @Test
    void anUnhealthyContainerThatAnswersTheCheckIsReady() {
        ObservedContainer c = container("c1", PG15, State.RUNNING, Duration.ofDays(3), "unhealthy");
        assertThat(look(PG15).with(c).lastReady(PG15).answers(true).plan().phase()).isEqualTo(Phase.READY);
    }

    @Test
    void driftAStoppedContainerIsStartedAgain() {
        ObservedContainer stopped = exited("c1", PG15, Duration.ofHours(1));
        DatabasePlan plan = look(PG15).with(stopped).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).containsExactly(start(stopped));
        assertThat(plan.drift()).isEqualTo("the database container was stopped");
        assertThat(plan.recheck()).contains(DatabasePlanner.FAST_POLL);
    }

    @Test
    void resumingStartsTheSuspendedContainerAndIsNotDrift() {
        ObservedContainer stopped = exited("c1", PG15, Duration.ofHours(1));
        DatabasePlan plan = look(PG15).with(stopped).lastReady(PG15).resumed().plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).containsExactly(start(stopped));
        assertThat(plan.drift()).isNull();
        assertThat(plan.detail()).isEqualTo("resuming");
    }

    @Test
    void driftARemovedContainerIsMadeAgainOnTheSameVolume() {
        DatabasePlan plan = look(PG15).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).containsExactly(new Create(), startNew(PG15));
        assertThat(plan.steps()).noneMatch(s -> s instanceof CreateVolume);
        assertThat(plan.drift()).isEqualTo("the database container was removed");
    }

    @Test
    void aContainerCreatedButNeverStartedIsStartedNotFailed() {
        ObservedContainer created = container("c1", PG15, State.CREATED, null, null);
        DatabasePlan plan = look(PG15).with(created).plan();
        assertThat(plan.phase()).isEqualTo(Phase.STARTING);
        assertThat(plan.steps()).containsExactly(start(created));
        assertThat(plan.drift()).isNull();
    }

    @Test
    void aCreatedNewContainerIsStartedOnlyAfterTheOldOneIsStopped() {
        ObservedContainer old = running("old", PG15, Duration.ofHours(1));
        ObservedContainer created = container("new", PG15_TUNED, State.CREATED, null, null);
        DatabasePlan plan = look(PG15_TUNED).with(old, created).lastReady(PG15).plan();
        assertThat(plan.steps()).containsExactly(stop(old), start(created));
    }

    // --- suspend -----------------------------------------------------------------------------------------------

    @Test
    void suspendStopsRunningContainersAndKeepsThem() {
        ObservedContainer c = running("c1", PG15, Duration.ofHours(1));
        DatabasePlan plan = look(PG15).with(c).lastReady(PG15).suspended().plan();
        assertThat(plan.phase()).isEqualTo(Phase.SUSPENDED);
        assertThat(plan.steps()).containsExactly(stop(c));
        assertThat(plan.steps()).noneMatch(s -> s instanceof Remove);
        assertThat(plan.recheck()).isEmpty();
    }

    @Test
    void suspendStopsEveryContainerOfTheDatabaseAndOnceStoppedDoesNothing() {
        ObservedContainer old = running("old", PG15, Duration.ofHours(1));
        ObservedContainer fresh = running("new", PG15_TUNED, Duration.ofSeconds(5));
        assertThat(look(PG15_TUNED).with(old, fresh).lastReady(PG15).suspended().plan().steps())
                .containsExactlyInAnyOrder(stop(old), stop(fresh));

        ObservedContainer stopped = exited("c1", PG15, Duration.ofHours(1));
        DatabasePlan again = look(PG15).with(stopped).lastReady(PG15).suspended().plan();
        assertThat(again.phase()).isEqualTo(Phase.SUSPENDED);
        assertThat(again.steps()).isEmpty();
    }

    @Test
    void suspendMakesNoVolumeAndStartsNothing() {
        DatabasePlan plan = look(PG15).noVolume().suspended().plan();
        assertThat(plan.phase()).isEqualTo(Phase.SUSPENDED);
        assertThat(plan.steps()).isEmpty();
    }

    // --- containers Docker is restarting (restart policy unless-stopped) -------------------------------------------

    @Test
    void suspendStopsAContainerDockerKeepsRestarting() {
        ObservedContainer looping = container("c1", PG15, State.RESTARTING, Duration.ofSeconds(2), null);
        assertThat(look(PG15).with(looping).lastReady(PG15).suspended().plan().steps())
                .containsExactly(stop(looping));
    }

    @Test
    void anOldContainerInARestartLoopIsStoppedBeforeTheNewOneStarts() {
        ObservedContainer looping = container("old", PG15, State.RESTARTING, Duration.ofSeconds(2), null);
        DatabasePlan plan = look(PG15_TUNED).with(looping).lastReady(PG15).plan();
        assertThat(plan.steps()).containsExactly(stop(looping), new Create(), startNew(PG15_TUNED));
    }

    @Test
    void aFailingContainerDockerKeepsRestartingIsStoppedBeforeItIsRemoved() {
        ObservedContainer old = exited("old", PG15, Duration.ofHours(1));
        ObservedContainer looping = container("bad", PG15_TUNED, State.RESTARTING, Duration.ofSeconds(2), null);
        DatabasePlan plan = look(PG15_TUNED).with(old, looping).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.FAILED);
        assertThat(plan.steps()).containsExactly(stop(looping), remove(looping), start(old));
    }

    @Test
    void aReadyDatabaseWhoseEngineCrashedAndDockerIsRestartingIsNotDrift() {
        ObservedContainer looping = container("c1", PG15, State.RESTARTING, Duration.ofSeconds(30), null);
        DatabasePlan plan = look(PG15).with(looping).lastReady(PG15).plan();
        assertThat(plan.phase()).isEqualTo(Phase.UNHEALTHY);
        assertThat(plan.steps()).as("Docker brings it back; nothing to start").isEmpty();
        assertThat(plan.drift()).isNull();
        assertThat(plan.failing()).isNull();
        assertThat(plan.recheck()).contains(Duration.ofSeconds(10));
    }

    // --- the order of the rules -------------------------------------------------------------------------------

    @Test
    void rulesApplyInOrderSuspendBeforeVolumeBeforeMajorVersionBeforeHeldFailure() {
        DesiredDatabase pg16 = postgres("postgres:16");
        assertThat(look(pg16).noVolume().lastReady(PG15).suspended().failed(pg16).plan().phase())
                .isEqualTo(Phase.SUSPENDED);
        assertThat(look(pg16).noVolume().lastReady(PG15).failed(pg16).plan().phase())
                .isEqualTo(Phase.VOLUME_MISSING);
        assertThat(look(pg16).lastReady(PG15).failed(pg16).plan().phase())
                .isEqualTo(Phase.MAJOR_UPGRADE_REFUSED);
    }
}
