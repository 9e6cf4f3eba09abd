package dev.berth.controller.backup.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * The fan-out of one backup: the dump tool's output (written here as it comes, e.g. as the stdout of a
 * {@code docker exec}) goes, gzip-compressed where the tool does not compress, to every destination at once. sha256
 * and size are computed on the way. Memory is bounded by design: one copy buffer here plus what each destination
 * holds (an S3 upload's part buffers, a Server write's pipe); nothing goes to a temporary file.
 *
 * <p>A destination that fails is aborted at once and the others go on, so "S3 complete, Server failed" ends with one
 * restorable copy and a failed run. When every destination has failed, writing throws (no point dumping on).
 * {@link #finish} commits the copies only when the caller says the tool exited 0; {@link #abort} removes them all.
 */
public final class BackupStream extends OutputStream {
    private final Map<BackupTarget, Optional<String>> targets = new LinkedHashMap<>();
    private final MessageDigest sha256;
    private final OutputStream entry;
    private long storedBytes;
    private long dumpBytes;
    private boolean ended;

    public BackupStream(List<BackupTarget> destinations, boolean compress) throws IOException {
        if (destinations.isEmpty()) {
            throw new IllegalArgumentException("a backup needs at least one destination");
        }
        destinations.forEach(t -> targets.put(t, Optional.empty()));
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
        OutputStream fanOut = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                distribute(b, off, len);
            }
        };
        // 64 KiB of deflate buffer; flushed only at the end, so blocks are as large as gzip likes.
        entry = compress ? new GZIPOutputStream(fanOut, 64 * 1024) : fanOut;
    }

    /** Copies {@code source} to the end, then {@link #finish}es; a source that fails aborts every destination. */
    public static BackupOutcome transfer(InputStream source, List<BackupTarget> destinations, boolean compress,
                                         ToolExit toolExit) throws IOException {
        BackupStream stream = new BackupStream(destinations, compress);
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            int n;
            try {
                n = source.read(buffer);
            } catch (IOException | RuntimeException e) {
                return stream.abort("the dump stream broke off after " + stream.dumpBytes + " bytes: " + describe(e));
            }
            if (n < 0) {
                break;
            }
            try {
                stream.write(buffer, 0, n);
            } catch (IOException | RuntimeException e) {
                return stream.abort("writing failed after " + stream.dumpBytes + " bytes: " + describe(e));
            }
        }
        return stream.finish(toolExit.exitedCleanly());
    }

    /** Asked once the stream has ended: whether the dump tool exited 0. */
    @FunctionalInterface
    public interface ToolExit {
        boolean exitedCleanly() throws IOException;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (ended) {
            throw new IOException("the backup stream has ended");
        }
        dumpBytes += len;
        entry.write(b, off, len);
    }

    private void distribute(byte[] b, int off, int len) throws IOException {
        sha256.update(b, off, len);
        storedBytes += len;
        boolean anyAlive = false;
        for (Map.Entry<BackupTarget, Optional<String>> t : targets.entrySet()) {
            if (t.getValue().isPresent()) {
                continue;
            }
            try {
                t.getKey().write(b, off, len);
                anyAlive = true;
            } catch (IOException | RuntimeException e) {
                t.setValue(Optional.of(describe(e)));
                t.getKey().abort();
            }
        }
        if (!anyAlive) {
            throw new IOException("every destination failed");
        }
    }

    /**
     * Ends the stream: with {@code toolExitedCleanly}, every destination still going commits (and is confirmed or
     * failed one by one); otherwise, or when nothing was dumped, every destination is aborted.
     */
    public BackupOutcome finish(boolean toolExitedCleanly) {
        if (!toolExitedCleanly) {
            return abort("the dump tool did not exit cleanly");
        }
        if (dumpBytes == 0) {
            return abort("the dump was empty (0 bytes)");
        }
        try {
            entry.close(); // the gzip trailer goes out through the fan-out too
        } catch (IOException | RuntimeException e) {
            return abort("writing the end of the stream failed: " + describe(e));
        }
        ended = true;
        BackupDigest digest = digest();
        for (Map.Entry<BackupTarget, Optional<String>> t : targets.entrySet()) {
            if (t.getValue().isPresent()) {
                continue;
            }
            try {
                t.getKey().commit(digest);
            } catch (IOException | RuntimeException e) {
                t.setValue(Optional.of(describe(e)));
                t.getKey().abort();
            }
        }
        return outcome(digest, Optional.empty(), true);
    }

    /** Ends the stream as failed ({@code why}): every destination is aborted, none keeps anything. */
    public BackupOutcome abort(String why) {
        ended = true;
        for (Map.Entry<BackupTarget, Optional<String>> t : targets.entrySet()) {
            if (t.getValue().isEmpty()) {
                t.setValue(Optional.of("aborted"));
                t.getKey().abort();
            }
        }
        return outcome(digest(), Optional.of(why), false);
    }

    private BackupDigest digest() {
        try {
            MessageDigest copy = (MessageDigest) sha256.clone();
            return new BackupDigest(HexFormat.of().formatHex(copy.digest()), storedBytes);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    private BackupOutcome outcome(BackupDigest digest, Optional<String> failure, boolean committed) {
        List<BackupOutcome.Destination> results = new ArrayList<>();
        targets.forEach((t, failed) -> results.add(new BackupOutcome.Destination(t.location(),
                committed && failed.isEmpty(), failed)));
        return new BackupOutcome(digest, dumpBytes, List.copyOf(results), failure);
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
