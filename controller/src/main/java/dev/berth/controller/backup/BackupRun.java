package dev.berth.controller.backup;

import dev.berth.controller.backup.BackupRunResult.FailureReason;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.backup.store.BackupOutcome;
import dev.berth.controller.backup.store.BackupStream;
import dev.berth.controller.backup.store.BackupTarget;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backup run: the engine's dump tool ({@link DumpCommand}) runs inside the database container by {@code docker
 * exec}, its stdout streams through a {@link BackupStream} to every destination at once (sha256 and size on the way),
 * and the run succeeds only when the tool exited 0, the stream ended cleanly, the dump was not empty and every
 * destination confirmed its copy. Anything else is a failed run that says why, with the tool's last stderr lines
 * (secrets redacted); the destinations that did not confirm are aborted (multipart upload aborted, {@code .partial}
 * removed), those that did hold a restorable copy and are listed as such.
 *
 * <p>The run's timeout bites inside the container: when the exec did not end by itself (timeout, cancellation, a
 * broken stream, every destination gone), the run's processes are ended with {@link BackupProcesses} before the result
 * is returned, so no dump is left running, blocked on a pipe nobody reads.
 */
public final class BackupRun {
    private static final Logger LOG = LoggerFactory.getLogger(BackupRun.class);
    private static final int STDERR_BYTES = 8 * 1024;
    private static final int STDERR_LINES = 10;

    private final DockerHost docker;
    private final Clock clock;

    public BackupRun(DockerHost docker, Clock clock) {
        this.docker = docker;
        this.clock = clock;
    }

    /**
     * Runs {@code dump} in {@code container} into {@code destinations} (made for {@code name}), ending within about
     * {@code timeout} (plus the time the destinations take to confirm or abort).
     */
    public BackupRunResult run(String container, DumpCommand dump, BackupName name, List<BackupTarget> destinations,
                               Duration timeout) {
        Instant start = clock.instant();
        UUID runId = name.runId();
        ToolOutputTail stderr = new ToolOutputTail(STDERR_BYTES);
        BackupStream stream;
        try {
            stream = new BackupStream(destinations, dump.compress());
        } catch (IOException e) {
            // Every destination failed on its first bytes (and was aborted there); the dump never started.
            BackupOutcome nothing = new BackupOutcome(new BackupDigest("", 0), 0, destinations.stream()
                    .map(d -> new BackupOutcome.Destination(d.location(), false, Optional.of("failed at the start")))
                    .toList(), Optional.of("no destination could be started: " + e.getMessage()));
            return result(name, start, nothing, Optional.of(FailureReason.DESTINATION_FAILED),
                    nothing.failure().orElseThrow(), null, stderr, dump, Optional.empty());
        }
        RdbEofMarkTrim rdb = dump.rdbStream() ? new RdbEofMarkTrim(stream) : null;
        OutputStream sink = rdb != null ? rdb : stream;
        List<String> env = new ArrayList<>(dump.envEntries());
        env.add(BackupProcesses.marker(runId));

        long exitCode;
        try {
            exitCode = docker.exec(container, dump.command(), env, null, sink, stderr, timeout);
        } catch (RuntimeException e) {
            boolean cancelled = Thread.currentThread().isInterrupted();
            boolean timedOut = e instanceof DockerHostException d && d.kind() == DockerHostException.Kind.Timeout;
            FailureReason reason = timedOut ? FailureReason.TIMED_OUT
                    : cancelled ? FailureReason.CANCELLED : FailureReason.STREAM_FAILED;
            String why = switch (reason) {
                case TIMED_OUT -> "the dump did not finish within " + timeout;
                case CANCELLED -> "the run was cancelled";
                default -> "the dump stream broke off: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            };
            // First end the dump in the container, then remove what the destinations hold.
            Optional<String> left = BackupProcesses.end(docker, container, runId);
            left.ifPresent(l -> LOG.warn("backup run {} in {}: {}", runId, container, l));
            String finalWhy = why;
            BackupOutcome outcome = uninterrupted(() -> stream.abort(finalWhy));
            if (reason == FailureReason.STREAM_FAILED && outcome.destinations().stream()
                    .noneMatch(d -> d.failure().equals(Optional.of("aborted")))) {
                // The stream stopped because no destination was left to take it.
                reason = FailureReason.DESTINATION_FAILED;
                why = "every destination failed";
            }
            return result(name, start, outcome, Optional.of(reason), why, null, stderr, dump, left);
        }
        if (rdb != null) {
            try {
                rdb.finish();
            } catch (IOException e) {
                BackupOutcome outcome = uninterrupted(() -> stream.abort("writing the end of the dump failed: "
                        + e.getMessage()));
                return result(name, start, outcome, Optional.of(FailureReason.STREAM_FAILED),
                        outcome.failure().orElseThrow(), exitCode, stderr, dump, Optional.empty());
            }
        }
        long exit = exitCode;
        BackupOutcome outcome = uninterrupted(() -> stream.finish(exit == 0));
        if (exitCode != 0) {
            String tool = dump.command().get(0).equals("sh") ? "the dump" : dump.command().get(0);
            return result(name, start, outcome, Optional.of(FailureReason.TOOL_FAILED),
                    tool + " exited with " + exitCode, exitCode, stderr, dump, Optional.empty());
        }
        if (outcome.succeeded()) {
            return result(name, start, outcome, Optional.empty(), null, exitCode, stderr, dump, Optional.empty());
        }
        FailureReason reason = outcome.dumpBytes() == 0 ? FailureReason.EMPTY_DUMP
                : outcome.failure().isPresent() ? FailureReason.STREAM_FAILED : FailureReason.DESTINATION_FAILED;
        return result(name, start, outcome, Optional.of(reason), outcome.describeFailure().orElseThrow(), exitCode,
                stderr, dump, Optional.empty());
    }

    /**
     * Runs a commit or an abort with the thread's interrupt put aside: a cancelled run must still remove what it
     * wrote (an interrupted SDK call or SSH exec would leave a pending upload or a {@code .partial} behind).
     */
    private static BackupOutcome uninterrupted(java.util.function.Supplier<BackupOutcome> step) {
        boolean interrupted = Thread.interrupted();
        try {
            return step.get();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private BackupRunResult result(BackupName name, Instant start, BackupOutcome outcome, Optional<FailureReason> reason,
                                   String why, Long exitCode, ToolOutputTail stderr, DumpCommand dump,
                                   Optional<String> processesLeft) {
        String said = stderr.lastLines(STDERR_LINES, dump.secretValues());
        Optional<String> failure = Optional.empty();
        if (reason.isPresent()) {
            String perDestination = outcome.describeFailure().orElse("");
            StringBuilder b = new StringBuilder(why);
            if (!perDestination.isEmpty() && !perDestination.equals(why) && !why.contains(perDestination)) {
                b.append(" (").append(perDestination).append(")");
            }
            processesLeft.ifPresent(l -> b.append("; ").append(l));
            if (!said.isBlank()) {
                b.append(": ").append(said.replace('\n', ' '));
            }
            failure = Optional.of(b.toString());
        }
        return new BackupRunResult(name.runId(), name.fileName(), start, clock.instant(), failure, reason,
                outcome.digest().sha256(), outcome.digest().sizeBytes(), outcome.dumpBytes(),
                Optional.ofNullable(exitCode), said, outcome.destinations(), processesLeft);
    }
}
