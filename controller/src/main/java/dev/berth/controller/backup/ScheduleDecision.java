package dev.berth.controller.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a ScheduledBackup does now: start a run or not, which slots to record as {@code skipped} or {@code missed},
 * what {@code status.lastScheduleTime} becomes, and when to look again.
 *
 * @param run               the run to start now, if any
 * @param skipped           slots that came while a run was still going: recorded, not run
 * @param missed            slots that passed while nobody looked (operator down, no leadership): recorded, not run
 *                          one by one (one catch-up run covers them)
 * @param missedTruncated   whether older missed slots exist beyond those listed (the list is capped)
 * @param lastScheduleTime  the newest slot now handled (run, skipped or missed); unchanged when nothing was due
 * @param nextSlot          the next slot after now, if the schedule has one
 * @param recheckAfter      when to look again (reschedule the reconcile); empty when there is no next slot
 */
public record ScheduleDecision(Optional<Run> run, List<Instant> skipped, List<Instant> missed, boolean missedTruncated,
                               Optional<Instant> lastScheduleTime, Optional<Instant> nextSlot,
                               Optional<Duration> recheckAfter) {

    /** Why a run starts. */
    public enum Trigger {
        /** A slot of the schedule, reached on time. */
        SCHEDULED,
        /** {@code immediate: true} on a ScheduledBackup that never ran. */
        IMMEDIATE,
        /** The one run that makes up for slots missed while nobody looked. */
        CATCH_UP
    }

    /** A run to start: its trigger and the slot it stands for (now, for immediate and catch-up runs). */
    public record Run(Trigger trigger, Instant slot) {
    }

    public boolean runNow() {
        return run.isPresent();
    }
}
