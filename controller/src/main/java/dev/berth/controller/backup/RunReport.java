package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.ScheduledBackupStatus;
import dev.berth.controller.mirror.BackupExecutionEnd;
import dev.berth.controller.mirror.BackupStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What one run of a ScheduledBackup came to, as plain facts: what its status.lastRun, its mirror row and its metrics
 * say. No field holds a secret.
 *
 * @param reason  why it failed as a word ({@link BackupReasons}); null when it succeeded or is still running
 * @param message why it failed (scrubbed), or a note on a successful run (e.g. retention could not delete a copy)
 */
public record RunReport(UUID id, String trigger, Instant slot, Instant start, Instant end, BackupStatus result,
                        String reason, String message, Long sizeBytes, String sha256,
                        List<String> restorableLocations, String verified) {

    public RunReport {
        restorableLocations = restorableLocations == null ? List.of() : List.copyOf(restorableLocations);
    }

    /** A run that has just started. */
    public static RunReport running(UUID id, String trigger, Instant slot, Instant start) {
        return new RunReport(id, trigger, slot, start, null, BackupStatus.RUNNING, null, null, null, null, List.of(),
                null);
    }

    /** A run that failed before any byte moved (the database not Ready, a destination's Secret missing, ...). */
    public static RunReport failedAtStart(UUID id, String trigger, Instant slot, Instant start, Instant end,
                                          String reason, String message) {
        return new RunReport(id, trigger, slot, start, end, BackupStatus.FAILED, reason, message, null, null,
                List.of(), null);
    }

    /**
     * The report of a finished {@link BackupRun} started at {@code start} (the time its name carries), with what verify
     * found ({@code verified}, may be null).
     */
    public static RunReport of(BackupRunResult r, String trigger, Instant slot, Instant start, String verified) {
        return new RunReport(r.runId(), trigger, slot, start, r.endTime(),
                r.succeeded() ? BackupStatus.SUCCEEDED : BackupStatus.FAILED,
                r.reason().map(BackupReasons::of).orElse(null), r.failure().orElse(null),
                r.sizeBytes(), r.sha256() == null || r.sha256().isEmpty() ? null : r.sha256(),
                r.restorableLocations(), verified);
    }

    /** The same report for run {@code newId}. */
    public RunReport withId(UUID newId) {
        return new RunReport(newId, trigger, slot, start, end, result, reason, message, sizeBytes, sha256,
                restorableLocations, verified);
    }

    public RunReport withVerified(String counts) {
        return new RunReport(id, trigger, slot, start, end, result, reason, message, sizeBytes, sha256,
                restorableLocations, counts);
    }

    public RunReport failedBy(String reason, String message) {
        return new RunReport(id, trigger, slot, start, end, BackupStatus.FAILED, reason, message, sizeBytes, sha256,
                restorableLocations, verified);
    }

    public RunReport withNote(String note) {
        String joined = message == null ? note : message + "; " + note;
        return new RunReport(id, trigger, slot, start, end, result, reason, joined, sizeBytes, sha256,
                restorableLocations, verified);
    }

    public boolean succeeded() {
        return result == BackupStatus.SUCCEEDED;
    }

    public Optional<String> firstLocation() {
        return restorableLocations.stream().findFirst();
    }

    /** The mirror row's end. */
    public BackupExecutionEnd mirrorEnd() {
        return new BackupExecutionEnd(result, reason, message, sizeBytes, sha256, firstLocation().orElse(null),
                restorableLocations, verified);
    }

    /** status.lastRun. */
    public ScheduledBackupStatus.LastRun lastRun() {
        ScheduledBackupStatus.LastRun r = new ScheduledBackupStatus.LastRun();
        r.setId(id.toString());
        r.setTrigger(trigger);
        r.setResult(result.value());
        r.setStartTime(start.toString());
        r.setCompletionTime(end == null ? null : end.toString());
        r.setSizeBytes(sizeBytes);
        r.setSha256(sha256);
        r.setLocation(firstLocation().orElse(null));
        r.setRestorableLocations(restorableLocations.isEmpty() ? null : restorableLocations);
        r.setReason(reason);
        r.setMessage(message);
        r.setVerified(verified);
        return r;
    }
}
