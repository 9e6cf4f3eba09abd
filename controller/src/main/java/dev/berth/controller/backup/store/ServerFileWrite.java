package dev.berth.controller.backup.store;

import dev.berth.controller.backup.BackupName;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backup written to a Server as it comes: {@code cat} into {@code <name>.partial} over an SSH exec whose stdin is
 * fed through a 1 MiB {@link BoundedPipe} (the memory this destination holds), then, on {@link #commit}, the size
 * on disk checked against what was sent, the sha256 written beside it as {@code <name>.sha256} (sha256sum's format:
 * the expected digest of a restore from the host) and the file renamed to its name. A failure anywhere removes the partial
 * file, so the directory never shows a backup under its final name that is not complete.
 */
public final class ServerFileWrite implements BackupTarget {
    static final int PIPE_BYTES = 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ServerFileWrite.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ServerDirectory directory;
    private final String fileName;
    private final Duration timeout;
    private final BoundedPipe pipe = new BoundedPipe(PIPE_BYTES);
    private final ExecutorService writer;
    private final Future<?> cat;
    private boolean ended;

    ServerFileWrite(ServerDirectory directory, String fileName, Duration timeout) {
        this.directory = directory;
        this.fileName = fileName;
        this.timeout = timeout;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "server-write-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        String partial = ServerDirectory.quote(partialPath());
        this.cat = writer.submit(() -> {
            try {
                directory.run("mkdir -p -- " + ServerDirectory.quote(directory.directory()) + " && cat > " + partial,
                        pipe.inputStream(), OutputStream.nullOutputStream(), "writing " + partialPath(), timeout);
            } catch (IOException | RuntimeException e) {
                // The writer must not wait on a pipe nobody reads any more.
                pipe.failReader(new IOException(BackupStream.describe(e)));
                throw e;
            }
            pipe.failReader(new IOException("the write on the Server ended before the stream did"));
            return null;
        });
    }

    @Override
    public String location() {
        return directory.location(fileName);
    }

    /** The bytes this write holds in memory at most. */
    public int bufferBytes() {
        return pipe.capacity();
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        pipe.write(bytes, offset, length);
    }

    @Override
    public void commit(BackupDigest digest) throws IOException {
        pipe.close();
        try {
            awaitCat();
            String partial = ServerDirectory.quote(partialPath());
            // The size on disk is what was sent, or the file is not renamed (a full disk, a truncated write). The
            // sidecar (sha256sum's format, so `sha256sum -c` checks the copy by hand) is written before the rename:
            // a backup under its final name always has its expected digest beside it.
            String sidecar = ServerDirectory.quote(directory.path(ServerDirectory.sidecarName(fileName)));
            directory.run("s=$(wc -c < " + partial + ") && { [ \"$s\" -eq " + digest.sizeBytes()
                    + " ] || { echo \"$s bytes on disk, " + digest.sizeBytes() + " sent\" >&2; exit 1; }; } && "
                    + "printf '%s  %s\\n' " + ServerDirectory.quote(digest.sha256()) + " "
                    + ServerDirectory.quote(fileName) + " > " + sidecar + " && mv -- " + partial + " "
                    + ServerDirectory.quote(directory.path(fileName)) + " || { rm -f -- " + sidecar + "; exit 1; }",
                    OutputStream.nullOutputStream(), "renaming " + partialPath() + " (size check, sha256 sidecar, then mv)");
            ended = true;
        } finally {
            writer.shutdownNow();
        }
    }

    @Override
    public void abort() {
        if (ended) {
            return;
        }
        ended = true;
        pipe.fail(new IOException("the backup was aborted"));
        try {
            awaitCat();
        } catch (IOException e) {
            LOG.debug("{}: the aborted write ended with: {}", location(), e.getMessage());
        }
        writer.shutdownNow();
        try {
            directory.run("rm -f -- " + ServerDirectory.quote(partialPath()), OutputStream.nullOutputStream(),
                    "removing " + partialPath());
        } catch (IOException e) {
            LOG.warn("{}: {}", location(), e.getMessage());
        }
    }

    private void awaitCat() throws IOException {
        try {
            cat.get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing " + location());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(BackupStream.describe(e.getCause()));
        } catch (TimeoutException e) {
            cat.cancel(true);
            throw new StorageException("writing " + partialPath() + " did not finish within " + timeout);
        }
    }

    private String partialPath() {
        return directory.path(fileName) + BackupName.PARTIAL_SUFFIX;
    }
}
