package dev.berth.controller.backup;

import dev.berth.controller.schedule.CronSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides, without I/O or clocks of its own, what a ScheduledBackup does at {@code now}. The rules:
 * <ul>
 *   <li>{@code suspend}: nothing runs and nothing is recorded; the passed slots are consumed (so resuming does not
 *       turn them into missed slots) and the planner is asked again at the next slot.</li>
 *   <li>Never scheduled yet and {@code immediate}: one run now.</li>
 *   <li>Due slots are those after {@code lastScheduleTime} (or after the resource's creation) up to now.</li>
 *   <li>A run still going: every due slot is recorded {@code skipped} (one run at a time).</li>
 *   <li>At most {@link #MAX_LISTED_MISSED} missed slots are listed, the newest.</li>
 *   <li>The newest due slot reached within {@code onTime} of its time: it runs; older due slots are
 *       {@code missed}. Reached later than that (operator down or without leadership across it): every due slot is
 *       {@code missed} and ONE catch-up run starts now.</li>
 * </ul>
 * A wall-clock time that a DST change skips or repeats is whatever {@link CronSchedule} makes of it; see its tests.
 */
public final class SchedulePlanner {
    /** How many missed slots are listed at most; older ones are only counted. */
    public static final int MAX_LISTED_MISSED = 100;
    /** A wake-up is never scheduled sooner than this (clock skew, a slot a few milliseconds away). */
    static final Duration MIN_RECHECK = Duration.ofSeconds(1);

    private SchedulePlanner() {
    }

    /**
     * @param created          when the ScheduledBackup was created: slots before it are not due
     * @param lastScheduleTime status.lastScheduleTime, null when nothing was ever scheduled
     * @param runInProgress    whether a run of this ScheduledBackup is still going
     * @param onTime           how late a slot may be reached and still count as on time
     */
    public static ScheduleDecision decide(CronSchedule schedule, boolean suspend, boolean immediate, Instant created,
                                          Instant lastScheduleTime, boolean runInProgress, Instant now,
                                          Duration onTime) {
        Instant since = lastScheduleTime != null ? lastScheduleTime : created;
        if (since.isAfter(now)) {
            since = now; // a clock that went back: nothing is due before the status's own time
        }
        Optional<Instant> next = schedule.nextAfter(now);
        Optional<Duration> recheck = next.map(n -> atLeast(Duration.between(now, n), MIN_RECHECK));
        // Two more than can be listed: the newest may run, and one more shows the list was cut.
        List<Instant> due = schedule.slotsBetween(since, now, MAX_LISTED_MISSED + 2);
        Optional<Instant> newestDue = due.isEmpty() ? Optional.empty() : Optional.of(due.get(due.size() - 1));
        Optional<Instant> handledUpTo = newestDue.or(() -> Optional.ofNullable(lastScheduleTime));

        if (suspend) {
            return new ScheduleDecision(Optional.empty(), List.of(), List.of(), false, handledUpTo, next, recheck);
        }
        if (lastScheduleTime == null && immediate && !runInProgress) {
            // The immediate run stands for every slot up to now.
            return new ScheduleDecision(Optional.of(new ScheduleDecision.Run(ScheduleDecision.Trigger.IMMEDIATE, now)),
                    List.of(), List.of(), false, Optional.of(now), next, recheck);
        }
        if (due.isEmpty()) {
            return new ScheduleDecision(Optional.empty(), List.of(), List.of(), false, handledUpTo, next, recheck);
        }
        if (runInProgress) {
            return new ScheduleDecision(Optional.empty(), due, List.of(), false, newestDue, next, recheck);
        }
        Instant newest = newestDue.get();
        boolean newestOnTime = Duration.between(newest, now).compareTo(onTime) <= 0;
        List<Instant> missed = new ArrayList<>(newestOnTime ? due.subList(0, due.size() - 1) : due);
        boolean truncated = missed.size() > MAX_LISTED_MISSED;
        if (truncated) {
            missed = missed.subList(missed.size() - MAX_LISTED_MISSED, missed.size());
        }
        ScheduleDecision.Run run = newestOnTime
                ? new ScheduleDecision.Run(ScheduleDecision.Trigger.SCHEDULED, newest)
                : new ScheduleDecision.Run(ScheduleDecision.Trigger.CATCH_UP, now);
        return new ScheduleDecision(Optional.of(run), List.of(), List.copyOf(missed), truncated, newestDue, next,
                recheck);
    }

    private static Duration atLeast(Duration d, Duration min) {
        return d.compareTo(min) < 0 ? min : d;
    }
}
