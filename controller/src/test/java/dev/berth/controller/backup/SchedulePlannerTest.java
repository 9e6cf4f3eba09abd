package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.controller.backup.ScheduleDecision.Trigger;
import dev.berth.controller.schedule.CronSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchedulePlannerTest {
    private static final CronSchedule DAILY_BERLIN = CronSchedule.parse("0 3 * * *", "Europe/Berlin");
    private static final CronSchedule HOURLY = CronSchedule.parse("@hourly", "UTC");
    private static final Instant CREATED = Instant.parse("2026-11-26T10:15:00Z");
    private static final Duration ON_TIME = Duration.ofMinutes(1);

    private static Instant t(String text) {
        return Instant.parse(text);
    }

    private static ScheduleDecision decide(CronSchedule s, boolean suspend, boolean immediate, Instant last,
                                           boolean running, Instant now) {
        return SchedulePlanner.decide(s, suspend, immediate, CREATED, last, running, now, ON_TIME);
    }

    @Test
    void nothingDueWaitsUntilTheNextSlot() {
        ScheduleDecision d = decide(DAILY_BERLIN, false, false, null, false, t("2026-11-26T10:15:05Z"));
        assertThat(d.run()).isEmpty();
        assertThat(d.skipped()).isEmpty();
        assertThat(d.missed()).isEmpty();
        assertThat(d.lastScheduleTime()).isEmpty();
        // 03:00 in Berlin (UTC+1 in November) is 02:00 UTC.
        assertThat(d.nextSlot()).contains(t("2026-11-27T02:00:00Z"));
        assertThat(d.recheckAfter()).contains(Duration.between(t("2026-11-26T10:15:05Z"), t("2026-11-27T02:00:00Z")));
    }

    @Test
    void immediateRunsOnceOnCreationAndNotAgain() {
        Instant now = t("2026-11-26T10:15:02Z");
        ScheduleDecision first = decide(DAILY_BERLIN, false, true, null, false, now);
        assertThat(first.run()).contains(new ScheduleDecision.Run(Trigger.IMMEDIATE, now));
        assertThat(first.lastScheduleTime()).contains(now);
        // Reconciled again (the status now has lastScheduleTime): no second immediate run.
        ScheduleDecision again = decide(DAILY_BERLIN, false, true, now, false, now.plusSeconds(5));
        assertThat(again.run()).isEmpty();
    }

    @Test
    void aSlotReachedOnTimeRuns() {
        Instant slot = t("2026-11-27T02:00:00Z");
        ScheduleDecision d = decide(DAILY_BERLIN, false, false, null, false, slot.plusMillis(300));
        assertThat(d.run()).contains(new ScheduleDecision.Run(Trigger.SCHEDULED, slot));
        assertThat(d.missed()).isEmpty();
        assertThat(d.lastScheduleTime()).contains(slot);
        assertThat(d.nextSlot()).contains(t("2026-11-28T02:00:00Z"));
    }

    @Test
    void aSlotDuringARunIsRecordedSkippedAndNotRunLater() {
        Instant last = t("2026-11-26T10:00:00Z");
        ScheduleDecision d = decide(HOURLY, false, false, last, true, t("2026-11-26T11:00:01Z"));
        assertThat(d.run()).isEmpty();
        assertThat(d.skipped()).containsExactly(t("2026-11-26T11:00:00Z"));
        assertThat(d.lastScheduleTime()).contains(t("2026-11-26T11:00:00Z"));
        // When the long run ends, the skipped slot is handled: nothing runs until 12:00.
        ScheduleDecision after = decide(HOURLY, false, false, d.lastScheduleTime().get(), false,
                t("2026-11-26T11:20:00Z"));
        assertThat(after.run()).isEmpty();
        assertThat(after.nextSlot()).contains(t("2026-11-26T12:00:00Z"));
    }

    @Test
    void slotsPassedWhileTheOperatorWasDownAreMissedWithOneCatchUpRun() {
        Instant last = t("2026-11-26T10:00:00Z");
        Instant now = t("2026-11-26T13:25:00Z");
        ScheduleDecision d = decide(HOURLY, false, false, last, false, now);
        assertThat(d.missed()).containsExactly(t("2026-11-26T11:00:00Z"), t("2026-11-26T12:00:00Z"),
                t("2026-11-26T13:00:00Z"));
        assertThat(d.run()).contains(new ScheduleDecision.Run(Trigger.CATCH_UP, now));
        assertThat(d.lastScheduleTime()).contains(t("2026-11-26T13:00:00Z"));
        assertThat(d.nextSlot()).contains(t("2026-11-26T14:00:00Z"));
        // Once recorded, the next reconcile starts nothing more.
        assertThat(decide(HOURLY, false, false, d.lastScheduleTime().get(), true, now.plusSeconds(1)).run()).isEmpty();
        assertThat(decide(HOURLY, false, false, d.lastScheduleTime().get(), false, now.plusSeconds(60)).run()).isEmpty();
    }

    @Test
    void backJustInTimeForTheNewestSlotRunsItAndRecordsTheOlderOnesMissed() {
        ScheduleDecision d = decide(HOURLY, false, false, t("2026-11-26T10:00:00Z"), false, t("2026-11-26T13:00:20Z"));
        assertThat(d.missed()).containsExactly(t("2026-11-26T11:00:00Z"), t("2026-11-26T12:00:00Z"));
        assertThat(d.run()).contains(new ScheduleDecision.Run(Trigger.SCHEDULED, t("2026-11-26T13:00:00Z")));
    }

    @Test
    void aLongOutageListsOnlyTheNewestMissedSlots() {
        CronSchedule everyMinute = CronSchedule.parse("* * * * *", "UTC");
        Instant now = t("2026-11-28T10:00:30Z");
        ScheduleDecision d = decide(everyMinute, false, false, t("2026-11-26T10:00:00Z"), false, now);
        assertThat(d.missed()).hasSize(SchedulePlanner.MAX_LISTED_MISSED);
        assertThat(d.missedTruncated()).isTrue();
        // Back on time for the 10:00 slot: it runs; 09:59 and the 99 before it are listed missed.
        assertThat(d.missed().get(d.missed().size() - 1)).isEqualTo(t("2026-11-28T09:59:00Z"));
        assertThat(d.run()).contains(new ScheduleDecision.Run(Trigger.SCHEDULED, t("2026-11-28T10:00:00Z")));
        // Back 45 s after the 10:01 slot with 10 s counted on time: all missed, one catch-up run.
        ScheduleDecision late = SchedulePlanner.decide(everyMinute, false, false, CREATED, t("2026-11-26T10:00:00Z"),
                false, t("2026-11-28T10:01:45Z"), Duration.ofSeconds(10));
        assertThat(late.missed()).hasSize(SchedulePlanner.MAX_LISTED_MISSED);
        assertThat(late.missedTruncated()).isTrue();
        assertThat(late.missed().get(late.missed().size() - 1)).isEqualTo(t("2026-11-28T10:01:00Z"));
        assertThat(late.run()).contains(new ScheduleDecision.Run(Trigger.CATCH_UP, t("2026-11-28T10:01:45Z")));
    }

    @Test
    void suspendRunsNothingRecordsNothingAndConsumesPassedSlots() {
        Instant now = t("2026-11-26T13:25:00Z");
        ScheduleDecision d = decide(HOURLY, true, true, t("2026-11-26T10:00:00Z"), false, now);
        assertThat(d.run()).isEmpty();
        assertThat(d.missed()).isEmpty();
        assertThat(d.skipped()).isEmpty();
        assertThat(d.lastScheduleTime()).contains(t("2026-11-26T13:00:00Z"));
        assertThat(d.recheckAfter()).contains(Duration.ofMinutes(35));
        // Resumed at 13:40: the slots passed while suspended are not missed.
        ScheduleDecision resumed = decide(HOURLY, false, true, d.lastScheduleTime().get(), false,
                t("2026-11-26T13:40:00Z"));
        assertThat(resumed.run()).isEmpty();
        assertThat(resumed.missed()).isEmpty();
    }

    @Test
    void acrossSpringForwardTheDailyRunStillHappens() {
        CronSchedule s = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
        Instant last = t("2026-03-28T01:30:00Z");
        ScheduleDecision waiting = SchedulePlanner.decide(s, false, false, CREATED, last, false,
                t("2026-03-28T12:00:00Z"), ON_TIME);
        // 02:30 does not exist on 29 March: 03:30 CEST.
        assertThat(waiting.nextSlot()).contains(t("2026-03-29T01:30:00Z"));
        ScheduleDecision due = SchedulePlanner.decide(s, false, false, CREATED, last, false,
                t("2026-03-29T01:30:01Z"), ON_TIME);
        assertThat(due.run()).contains(new ScheduleDecision.Run(Trigger.SCHEDULED, t("2026-03-29T01:30:00Z")));
    }

    @Test
    void acrossFallBackAFixedTimeRunsOnce() {
        CronSchedule s = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
        Instant first = t("2026-10-25T00:30:00Z");
        Instant created = t("2026-10-20T00:00:00Z");
        ScheduleDecision ran = SchedulePlanner.decide(s, false, false, created, null, false, first.plusSeconds(2),
                ON_TIME);
        assertThat(ran.run()).contains(new ScheduleDecision.Run(Trigger.SCHEDULED, first));
        // An hour later it is 02:30 again on the wall clock: nothing is due.
        ScheduleDecision again = SchedulePlanner.decide(s, false, false, created, first, false,
                t("2026-10-25T01:30:05Z"), ON_TIME);
        assertThat(again.run()).isEmpty();
        assertThat(again.missed()).isEmpty();
        assertThat(again.nextSlot()).contains(t("2026-10-26T01:30:00Z"));
    }

    @Test
    void aScheduleWithNoFutureSlotHasNoRecheck() {
        // 30 February never comes.
        ScheduleDecision d = decide(CronSchedule.parse("0 0 30 2 *", "UTC"), false, false, null, false,
                t("2026-11-26T10:15:05Z"));
        assertThat(d.nextSlot()).isEmpty();
        assertThat(d.recheckAfter()).isEmpty();
        assertThat(d.run()).isEmpty();
        assertThat(d.missed()).isEqualTo(List.of());
        assertThat(d.lastScheduleTime()).isEqualTo(Optional.empty());
    }
}
