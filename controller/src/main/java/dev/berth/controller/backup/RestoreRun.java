package dev.berth.controller.backup;

import dev.berth.controller.backup.RestoreResult.FailureReason;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * One restore: a stored backup streamed into the engine's restore tool ({@link RestoreCommand}) inside the database
 * container, by {@code docker exec} with the dump on stdin (gunzipped on the way where Berth compressed it). The sha256
 * and size of the stored bytes are checked as they pass, and the tool sees the end of its input only after they
 * matched: on a mismatch, or when the stored copy cannot be read to its end, the tool is ended first (its
 * transaction rolled back, for the tools that restore in one) and only then is its input closed. The timeout ends the
 * tool the same way, before the exec's connection is dropped.
 */
public final class RestoreRun {
    private static final int STDERR_LINES = 10;
    /** How long the exec may outlive the restore's own timeout: ending the tool comes first. */
    private static final Duration EXEC_GRACE = Duration.ofSeconds(90);
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-restore-timer");
        t.setDaemon(true);
        return t;
    });

    private final DockerHost docker;

    public RestoreRun(DockerHost docker) {
        this.docker = docker;
    }

    /** Restores {@code stored} (expected to be {@code expected}) with {@code restore} in {@code container}. */
    public RestoreResult run(String container, RestoreCommand restore, InputStream stored, BackupDigest expected,
                             Duration timeout) {
        UUID restoreId = UUID.randomUUID();
        ToolOutputTail stderr = new ToolOutputTail(8 * 1024);
        AtomicReference<FailureReason> inputFailure = new AtomicReference<>();
        AtomicReference<String> inputWhy = new AtomicReference<>();
        AtomicBoolean timedOut = new AtomicBoolean();
        InputFailure onInputFailure = (reason, why) -> {
            inputFailure.compareAndSet(null, reason);
            inputWhy.compareAndSet(null, why);
            BackupProcesses.end(docker, container, restoreId); // before the exec's input is closed
        };
        VerifiedInput input = new VerifiedInput(stored, expected, restore.decompress(), restore.filter(),
                onInputFailure);
        ScheduledFuture<?> timer = TIMERS.schedule(() -> {
            timedOut.set(true);
            BackupProcesses.end(docker, container, restoreId);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<String> env = new ArrayList<>(restore.envEntries());
        env.add(BackupProcesses.marker(restoreId));
        Long exitCode = null;
        FailureReason reason = null;
        String why = null;
        try {
            exitCode = docker.exec(container, restore.command(), env, input, OutputStream.nullOutputStream(), stderr,
                    timeout.plus(EXEC_GRACE));
        } catch (DockerHostException e) {
            reason = FailureReason.STREAM_FAILED;
            why = "the restore stream broke off: " + e.getMessage();
            BackupProcesses.end(docker, container, restoreId);
        } finally {
            timer.cancel(false);
        }
        if (timedOut.get()) {
            reason = FailureReason.TIMED_OUT;
            why = "the restore did not finish within " + timeout;
        } else if (inputFailure.get() != null) {
            reason = inputFailure.get();
            why = inputWhy.get();
        } else if (reason == null && exitCode != 0) {
            reason = FailureReason.TOOL_FAILED;
            why = (restore.command().get(0).equals("sh") ? "the restore" : restore.command().get(0)) + " exited with "
                    + exitCode;
        } else if (reason == null && !input.verified()) {
            reason = FailureReason.CHECKSUM_MISMATCH;
            why = "the tool ended before the stored copy was read to its end and checked";
        }
        String said = stderr.lastLines(STDERR_LINES, restore.secretValues());
        Optional<String> failure = reason == null ? Optional.empty()
                : Optional.of(why + (said.isBlank() ? "" : ": " + said.replace('\n', ' ')));
        return new RestoreResult(restoreId, failure, Optional.ofNullable(reason), input.storedBytes(), input.sha256(),
                Optional.ofNullable(exitCode), said);
    }

    /** Called (on the thread feeding the exec) when the input must not end cleanly. */
    @FunctionalInterface
    interface InputFailure {
        void failed(FailureReason reason, String why);
    }

    /**
     * The tool's input: the stored bytes, counted and hashed as read, gunzipped if asked, then through the command's
     * filter. At the end of the decoded stream the stored stream is read to its own end and checked; only then does the
     * tool get its end of input.
     */
    static final class VerifiedInput extends InputStream {
        private final InputStream stored;
        private final BackupDigest expected;
        private final MessageDigest sha256;
        private final InputFailure onFailure;
        private InputStream decoded;
        private final boolean decompress;
        private final UnaryOperator<InputStream> filter;
        private long storedBytes;
        private volatile boolean verified;
        private volatile String actualSha256 = "";
        private boolean failed;

        VerifiedInput(InputStream stored, BackupDigest expected, boolean decompress,
                      UnaryOperator<InputStream> filter, InputFailure onFailure) {
            this.stored = stored;
            this.expected = expected;
            this.decompress = decompress;
            this.filter = filter;
            this.onFailure = onFailure;
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JRE", e);
            }
        }

        private final InputStream counted = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = stored.read(b, off, len);
                if (n > 0) {
                    sha256.update(b, off, n);
                    storedBytes += n;
                }
                return n;
            }
        };

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (failed) {
                throw new IOException("the restore's input failed");
            }
            if (verified) {
                return -1;
            }
            int n;
            try {
                if (decoded == null) {
                    decoded = filter.apply(decompress ? new GZIPInputStream(counted, 64 * 1024) : counted);
                }
                n = decoded.read(b, off, len);
                if (n < 0) {
                    // gzip may stop at its trailer: the stored copy is checked to its very end.
                    byte[] rest = new byte[8192];
                    while (counted.read(rest) >= 0) {
                        // counted and hashed
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw fail(FailureReason.SOURCE_FAILED, "reading the stored copy failed after " + storedBytes
                        + " bytes: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
            if (n >= 0) {
                return n;
            }
            actualSha256 = HexFormat.of().formatHex(sha256.digest());
            if (!actualSha256.equals(expected.sha256()) || storedBytes != expected.sizeBytes()) {
                throw fail(FailureReason.CHECKSUM_MISMATCH, "the stored copy is not the one recorded: " + storedBytes
                        + " bytes with sha256 " + actualSha256 + ", expected " + expected.sizeBytes() + " bytes with "
                        + expected.sha256());
            }
            verified = true;
            return -1;
        }

        private IOException fail(FailureReason reason, String why) {
            failed = true;
            onFailure.failed(reason, why);
            return new IOException(why);
        }

        boolean verified() {
            return verified;
        }

        long storedBytes() {
            return storedBytes;
        }

        String sha256() {
            return actualSha256;
        }
    }
}
