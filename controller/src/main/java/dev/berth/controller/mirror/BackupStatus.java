package dev.berth.controller.mirror;

/** The states of a backup execution, as stored; the same words as ScheduledBackup's status.lastRun.result. */
public enum BackupStatus {
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed");

    private final String value;

    BackupStatus(String value) {
        this.value = value;
    }

    /** The value in the status column. */
    public String value() {
        return value;
    }
}
