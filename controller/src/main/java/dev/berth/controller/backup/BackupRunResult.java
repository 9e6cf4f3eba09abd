package dev.berth.controller.backup;

import dev.berth.controller.backup.store.BackupOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * How one backup run ended, as plain facts for status, the mirror's {@code backup_executions} row and metrics. No
 * field holds a secret: the tool's stderr is scrubbed of the run's secret values.
 *
 * @param failure     why the run failed, empty when it succeeded
 * @param reason      what kind of failure, for decisions (never the text)
 * @param sha256      of the stored bytes (what every destination holds), lower-case hex
 * @param sizeBytes   stored bytes (compressed, when Berth compressed)
 * @param dumpBytes   bytes the tool wrote
 * @param exitCode    the dump tool's exit code, empty when it did not end by itself (timeout, broken stream)
 * @param toolStderr  the tool's last stderr lines, secrets redacted (blank when it said nothing)
 * @param destinations each destination's result; those confirmed hold a complete, restorable copy even when the run
 *                     failed (partial success is failure, and says which)
 * @param processesLeft why the run's processes in the container could not be ended, if they could not
 */
public record BackupRunResult(UUID runId, String fileName, Instant startTime, Instant endTime,
                              Optional<String> failure, Optional<FailureReason> reason, String sha256, long sizeBytes,
                              long dumpBytes, Optional<Long> exitCode, String toolStderr,
                              List<BackupOutcome.Destination> destinations, Optional<String> processesLeft) {

    public BackupRunResult {
        destinations = List.copyOf(destinations);
    }

    /** Kinds of failure, in the order a run meets them. */
    public enum FailureReason {
        /** The exec could not be started or its stream broke off (Docker, SSH). */
        STREAM_FAILED,
        /** The run's timeout passed; the dump was ended. */
        TIMED_OUT,
        /** The run was cancelled (interrupted); the dump was ended. */
        CANCELLED,
        /** The dump tool exited non-zero. */
        TOOL_FAILED,
        /** The tool exited 0 having written nothing. */
        EMPTY_DUMP,
        /** The dump went through, but at least one destination did not confirm its copy. */
        DESTINATION_FAILED
    }

    public boolean succeeded() {
        return failure.isEmpty();
    }

    /** The complete copies, whether or not the run succeeded. */
    public List<String> restorableLocations() {
        return destinations.stream().filter(BackupOutcome.Destination::confirmed).map(BackupOutcome.Destination::location)
                .toList();
    }
}
