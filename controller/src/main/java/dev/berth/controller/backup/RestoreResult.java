package dev.berth.controller.backup;

import java.util.Optional;
import java.util.UUID;

/**
 * How one restore ended: plain facts for the database's status ({@code Restored} / {@code RestoreFailed}). No field
 * holds a secret.
 *
 * @param storedBytes bytes read from the stored copy (before decompression)
 * @param sha256      of the bytes read, lower-case hex (compared with the run's recorded sha256)
 */
public record RestoreResult(UUID restoreId, Optional<String> failure, Optional<FailureReason> reason, long storedBytes,
                            String sha256, Optional<Long> exitCode, String toolStderr) {

    public enum FailureReason {
        /** The stored copy could not be read to its end. */
        SOURCE_FAILED,
        /** The stored copy is not the one recorded (sha256 or size differ); the tool never saw the end of its input. */
        CHECKSUM_MISMATCH,
        /** The exec could not be started or its stream broke off. */
        STREAM_FAILED,
        /** The restore's timeout passed; the tool was ended. */
        TIMED_OUT,
        /** The restore tool exited non-zero. */
        TOOL_FAILED
    }

    public boolean succeeded() {
        return failure.isEmpty();
    }
}
