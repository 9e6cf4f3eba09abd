package dev.berth.controller.mirror;

/**
 * The states of a backup execution, as stored; the first three are also ScheduledBackup's status.lastRun.result.
 * {@code skipped} and {@code missed} are slots that did not run: one came while a run was still going, the other
 * passed while no operator looked.
 */
public enum BackupStatus {
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    SKIPPED("skipped"),
    MISSED("missed");

    private final String value;

    BackupStatus(String value) {
        this.value = value;
    }

    /** The value in the status column. */
    public String value() {
        return value;
    }
}
