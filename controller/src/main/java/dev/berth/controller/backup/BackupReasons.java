package dev.berth.controller.backup;

import dev.berth.controller.backup.BackupRunResult.FailureReason;

/** The words a ScheduledBackup's status (Ready's reason, lastRun.reason) and its mirror rows use. */
public final class BackupReasons {
    /** Ready=False: the last run failed. */
    public static final String BACKUP_FAILED = "BackupFailed";

    // lastRun.reason: why one run failed
    public static final String DATABASE_NOT_READY = "DatabaseNotReady";
    public static final String SERVER_UNAVAILABLE = "ServerUnavailable";
    public static final String INTERRUPTED = "Interrupted";
    public static final String VERIFY_FAILED = "VerifyFailed";
    public static final String RUN_FAILED = "RunFailed";

    private BackupReasons() {
    }

    /** The word for a {@link BackupRun}'s failure. */
    public static String of(FailureReason reason) {
        return switch (reason) {
            case STREAM_FAILED -> "StreamFailed";
            case TIMED_OUT -> "TimedOut";
            case CANCELLED -> "Cancelled";
            case TOOL_FAILED -> "ToolFailed";
            case EMPTY_DUMP -> "EmptyDump";
            case DESTINATION_FAILED -> "DestinationFailed";
        };
    }
}
