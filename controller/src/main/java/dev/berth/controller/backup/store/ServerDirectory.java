package dev.berth.controller.backup.store;

import dev.berth.controller.backup.BackupName;
import dev.berth.controller.backup.StoredBackup;
import dev.berth.controller.ssh.ExecResult;
import dev.berth.controller.ssh.SshHostConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A directory on a Server as a backup destination, reached over the Server's SSH connection: writes
 * ({@link ServerFileWrite}), listing and deletion for retention. Command lines carry only paths and names (Berth's
 * own, shell-quoted), never a secret: the data goes over the channel's stdin.
 */
public final class ServerDirectory {
    private static final Duration SHORT_COMMAND = Duration.ofSeconds(60);
    /** Suffix of the file beside each backup holding its sha256 (not a Berth name: listings and retention skip it). */
    public static final String SIDECAR_SUFFIX = ".sha256";

    private final SshHostConnection ssh;
    private final String directory;

    /** {@code directory}: absolute, without a trailing '/' (as {@link BackupName#directory} builds it, trimmed). */
    public ServerDirectory(SshHostConnection ssh, String directory) {
        if (!directory.startsWith("/")) {
            throw new IllegalArgumentException("a Server directory is an absolute path");
        }
        this.ssh = ssh;
        this.directory = directory.replaceAll("/+$", "");
    }

    public String directory() {
        return directory;
    }

    /** Starts writing {@code fileName} (a {@link BackupName}) as {@code fileName.partial}; {@code timeout} bounds it. */
    public ServerFileWrite write(String fileName, Duration timeout) {
        requireBerthName(fileName);
        return new ServerFileWrite(this, fileName, timeout);
    }

    /**
     * The regular files directly in the directory (none when it does not exist yet), sha256 sidecars included: they are
     * not Berth names, so {@link BackupName#parse} (retention, run look-up) passes them by.
     */
    public List<StoredBackup> list() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        run("if [ -d " + quote(directory) + " ]; then find " + quote(directory)
                + " -mindepth 1 -maxdepth 1 -type f -printf '%f\\t%s\\t%T@\\n'; fi", out, "listing");
        List<StoredBackup> files = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 3) {
                BigDecimal seconds = new BigDecimal(f[2]);
                files.add(new StoredBackup(f[0], Long.parseLong(f[1]), Instant.ofEpochSecond(seconds.longValue(),
                        seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue())));
            }
        }
        return files;
    }

    /**
     * One stored backup, as a stream: {@code cat} over the SSH connection into a 1 MiB {@link BoundedPipe} (the memory
     * this holds). A read fails, never ends cleanly, when the file could not be read to its end; closing the stream
     * early ends the {@code cat}.
     */
    public InputStream read(String fileName, Duration timeout) {
        requireBerthName(fileName);
        BoundedPipe pipe = new BoundedPipe(ServerFileWrite.PIPE_BYTES);
        Thread reader = new Thread(() -> {
            try {
                run("cat -- " + quote(path(fileName)), null, new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        pipe.write(b, off, len);
                    }
                }, "reading " + path(fileName), timeout);
                pipe.close();
            } catch (IOException | RuntimeException e) {
                pipe.fail(new IOException(BackupStream.describe(e)));
            }
        }, "server-read-" + fileName);
        reader.setDaemon(true);
        reader.start();
        InputStream in = pipe.inputStream();
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                pipe.failReader(new IOException("the reader closed the stream"));
            }
        };
    }

    /** Deletes one backup Berth made, and its sha256 sidecar; other names are refused. */
    public void delete(String fileName) throws IOException {
        requireBerthName(fileName);
        run("rm -f -- " + quote(path(fileName)) + " " + quote(path(sidecarName(fileName))),
                OutputStream.nullOutputStream(), "deleting " + fileName);
    }

    /** The name of the file beside a backup that holds its sha256 ({@code sha256sum} format). */
    public static String sidecarName(String fileName) {
        return fileName + SIDECAR_SUFFIX;
    }

    /**
     * The digest a stored backup must have: the sha256 from its sidecar and its size on disk; empty when the backup or
     * its sidecar is missing (a copy written before sidecars existed, or removed by hand).
     */
    public Optional<BackupDigest> expectedDigest(String fileName) throws IOException {
        requireBerthName(fileName);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String file = quote(path(fileName));
        String sidecar = quote(path(sidecarName(fileName)));
        run("if [ -f " + file + " ] && [ -f " + sidecar + " ]; then head -c 64 " + sidecar + "; echo; wc -c < " + file
                + "; fi", out, "reading the sha256 of " + fileName);
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        if (lines.length != 2 || !lines[0].matches("[0-9a-f]{64}") || !lines[1].strip().matches("\\d+")) {
            return Optional.empty();
        }
        return Optional.of(new BackupDigest(lines[0], Long.parseLong(lines[1].strip())));
    }

    /**
     * Removes what an interrupted write of {@code fileName} left: its {@code .partial}, and its sha256 sidecar when the
     * backup itself never got its name (the sidecar is written just before the rename); nothing else.
     */
    public void removePartial(String fileName) throws IOException {
        requireBerthName(fileName);
        run("rm -f -- " + quote(path(fileName) + BackupName.PARTIAL_SUFFIX) + "; if [ ! -e " + quote(path(fileName))
                + " ]; then rm -f -- " + quote(path(sidecarName(fileName))) + "; fi", OutputStream.nullOutputStream(),
                "removing " + fileName + BackupName.PARTIAL_SUFFIX);
    }

    String path(String fileName) {
        return directory + "/" + fileName;
    }

    /** {@code host:path}, as scp writes it (no user, no port: the Server says those). */
    public String location(String fileName) {
        return ssh.target().host() + ":" + path(fileName);
    }

    SshHostConnection ssh() {
        return ssh;
    }

    /** Runs a short command; a non-zero exit is a failure naming what failed and the command's last words. */
    void run(String command, OutputStream stdout, String what) throws IOException {
        run(command, null, stdout, what, SHORT_COMMAND);
    }

    void run(String command, InputStream stdin, OutputStream stdout, String what, Duration timeout)
            throws IOException {
        TailBuffer stderr = new TailBuffer(2048);
        ExecResult r;
        try {
            r = ssh.exec(command, stdin, stdout, stderr, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(what + " on " + ssh.target().address() + " was interrupted");
        }
        if (!r.succeeded()) {
            throw new StorageException(what + " on " + ssh.target().address() + " failed (exit "
                    + (r.exitStatus() != null ? r.exitStatus() : "signal " + r.exitSignal()) + ")"
                    + (stderr.text().isBlank() ? "" : ": " + stderr.text().strip()));
        }
    }

    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static void requireBerthName(String fileName) {
        if (BackupName.parse(fileName).isEmpty()) {
            throw new IllegalArgumentException("'" + fileName + "' is not a backup name Berth makes");
        }
    }

    /** Keeps the last bytes written to it: a command's last stderr lines, without holding all of them. */
    static final class TailBuffer extends OutputStream {
        private final byte[] ring;
        private long total;

        TailBuffer(int size) {
            ring = new byte[size];
        }

        @Override
        public synchronized void write(int b) {
            ring[(int) (total++ % ring.length)] = (byte) b;
        }

        synchronized String text() {
            int n = (int) Math.min(total, ring.length);
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = ring[(int) ((total - n + i) % ring.length)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }
}
