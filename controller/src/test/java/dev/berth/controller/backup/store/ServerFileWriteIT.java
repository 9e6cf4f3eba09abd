package dev.berth.controller.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.controller.backup.BackupName;
import dev.berth.controller.backup.StoredBackup;
import dev.berth.controller.ssh.HostKeyPolicy;
import dev.berth.controller.ssh.SshConnectionPool;
import dev.berth.controller.ssh.SshHostConnection;
import dev.berth.controller.ssh.SshKey;
import dev.berth.controller.ssh.SshSettings;
import dev.berth.controller.ssh.SshTarget;
import dev.berth.controller.testbed.TestBed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups written to a directory on a test-bed host over its real sshd. */
class ServerFileWriteIT {
    private static final int MIB = 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private SshConnectionPool pool;
    private SshHostConnection ssh;
    private String base;
    private ServerDirectory directory;

    @BeforeEach
    void setUp() throws Exception {
        TestBed.Host h = TestBed.get().host(1);
        pool = new SshConnectionPool(new SimpleMeterRegistry(), SshSettings.defaults());
        ssh = pool.connection(new SshTarget("it/server-write", h.address(), h.port(), h.user(),
                SshKey.load(h.privateKey(), null), HostKeyPolicy.pinned(h.hostKeyFingerprint()), 8));
        base = "/tmp/berth-backup-it-" + UUID.randomUUID();
        directory = new ServerDirectory(ssh, BackupName.directory(base, "shop", "orders"));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ssh != null) {
            run("rm -rf -- '" + base + "'");
        }
        pool.close();
    }

    private String run(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ssh.exec(command, out, OutputStream.nullOutputStream(), Duration.ofSeconds(30)).succeeded())
                .as(command).isTrue();
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The names in the backup directory, as the host sees them. */
    private List<String> filesOnHost() throws Exception {
        String out = run("ls -A '" + directory.directory() + "' 2>/dev/null || true");
        return out.isBlank() ? List.of() : List.of(out.strip().split("\n"));
    }

    private static String newName() {
        return new BackupName(Instant.now(), UUID.randomUUID(), "dump").fileName();
    }

    /** Runs {@code check} once, when {@code at} bytes have been read from {@code in}. */
    private static InputStream onceAt(InputStream in, long at, ThrowingRunnable check) {
        return new FilterInputStream(in) {
            private long read;
            private boolean done;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!done && read >= at) {
                    done = true;
                    try {
                        check.run();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
                int n = super.read(b, off, len);
                read += Math.max(n, 0);
                return n;
            }
        };
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aBackupIsWrittenAsPartialThenRenamedWithTheRightContent() throws Exception {
        String name = newName();
        ServerFileWrite write = directory.write(name, TIMEOUT);
        long size = 7L * MIB + 3;
        InputStream source = onceAt(S3UploadIT.randomBytes(7, size, Long.MAX_VALUE), 4L * MIB,
                () -> await().untilAsserted(() -> assertThat(filesOnHost()).containsExactly(name + ".partial")));

        BackupOutcome outcome = BackupStream.transfer(source, List.of(write), false, () -> true);

        assertThat(outcome.succeeded()).as(outcome.describeFailure().orElse("")).isTrue();
        assertThat(filesOnHost()).containsExactlyInAnyOrder(name, name + ".sha256");
        String onHost = run("sha256sum '" + directory.directory() + "/" + name + "'").split(" ")[0];
        assertThat(onHost).isEqualTo(S3UploadIT.sha256(S3UploadIT.randomBytes(7, size, Long.MAX_VALUE)))
                .isEqualTo(outcome.digest().sha256());
        // The sidecar is sha256sum's own format: the host's tool checks the copy with it.
        assertThat(run("cd '" + directory.directory() + "' && cat '" + name + ".sha256' && sha256sum -c '" + name
                + ".sha256'")).isEqualTo(onHost + "  " + name + "\n" + name + ": OK\n");
        assertThat(directory.expectedDigest(name)).contains(outcome.digest());
        assertThat(outcome.restorable()).extracting(BackupOutcome.Destination::location)
                .containsExactly(ssh.target().host() + ":" + directory.directory() + "/" + name);
        // Memory by design: the pipe, whatever the size.
        assertThat(write.bufferBytes()).isEqualTo(MIB);
    }

    @Test
    void aSourceThatBreaksOffLeavesNothing() throws Exception {
        ServerFileWrite write = directory.write(newName(), TIMEOUT);
        BackupOutcome outcome = BackupStream.transfer(S3UploadIT.randomBytes(8, 20L * MIB, 6L * MIB), List.of(write),
                false, () -> true);
        assertThat(outcome.succeeded()).isFalse();
        assertThat(filesOnHost()).isEmpty();
    }

    @Test
    void aToolThatExitsNonZeroLeavesNothing() throws Exception {
        ServerFileWrite write = directory.write(newName(), TIMEOUT);
        BackupOutcome outcome = BackupStream.transfer(S3UploadIT.randomBytes(9, 3L * MIB, Long.MAX_VALUE),
                List.of(write), true, () -> false);
        assertThat(outcome.succeeded()).isFalse();
        assertThat(filesOnHost()).isEmpty();
    }

    @Test
    void aDirectoryThatCannotBeWrittenFailsWithTheHostsReason() throws Exception {
        ServerDirectory impossible = new ServerDirectory(ssh, "/proc/berth-cannot-exist/shop/orders");
        BackupOutcome outcome = BackupStream.transfer(S3UploadIT.randomBytes(10, 3L * MIB, Long.MAX_VALUE),
                List.of(impossible.write(newName(), TIMEOUT)), false, () -> true);
        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.describeFailure().orElseThrow()).contains("/proc/berth-cannot-exist");
    }

    /** S3 complete, the Server failed: a failed run that says which, with the S3 copy complete and restorable. */
    @Test
    void s3ConfirmedButTheServerFailedIsReportedPerDestination(@TempDir Path s3dir) throws Exception {
        try (S3Proxy proxy = new S3Proxy(s3dir);
             S3Storage s3 = S3Storage.connect(proxy.endpoint(), "us-east-1", true, "fan-out", S3Proxy.ACCESS_KEY,
                     S3Proxy.SECRET_KEY)) {
            s3.client().createBucket(b -> b.bucket("fan-out"));
            String name = newName();
            String key = BackupName.directory("berth", "shop", "orders") + name;
            ServerDirectory impossible = new ServerDirectory(ssh, "/proc/berth-cannot-exist");
            ServerFileWrite good = directory.write(name, TIMEOUT);
            BackupOutcome outcome = BackupStream.transfer(S3UploadIT.randomBytes(11, 12L * MIB, Long.MAX_VALUE),
                    List.of(s3.upload(key, Map.of(), PartPlan.STANDARD), impossible.write(name, TIMEOUT), good),
                    false, () -> true);

            assertThat(outcome.succeeded()).isFalse();
            assertThat(outcome.destinations()).as(outcome.describeFailure().orElse(""))
                    .extracting(BackupOutcome.Destination::confirmed)
                    .containsExactly(true, false, true);
            assertThat(outcome.restorable()).extracting(BackupOutcome.Destination::location)
                    .containsExactly("s3://fan-out/" + key, good.location());
            assertThat(outcome.describeFailure().orElseThrow()).contains("/proc/berth-cannot-exist/" + name)
                    .doesNotContain("s3://");
            assertThat(s3.expectedDigest(key)).contains(outcome.digest());
            assertThat(filesOnHost()).containsExactlyInAnyOrder(name, name + ".sha256");
        }
    }

    @Test
    void listingAndDeletingOnlyBerthsNames() throws Exception {
        String name = newName();
        assertThat(directory.list()).isEmpty();
        assertThat(BackupStream.transfer(S3UploadIT.randomBytes(12, 1000, Long.MAX_VALUE),
                List.of(directory.write(name, TIMEOUT)), false, () -> true).succeeded()).isTrue();
        run("echo hello > '" + directory.directory() + "/notes.txt'");
        assertThat(directory.list()).extracting(StoredBackup::name, StoredBackup::sizeBytes)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(name, 1000L),
                        org.assertj.core.groups.Tuple.tuple(name + ".sha256", 64L + 2 + name.length() + 1),
                        org.assertj.core.groups.Tuple.tuple("notes.txt", 6L));
        // Retention counts only Berth's names: the sidecar is neither kept nor deleted as a backup of its own.
        assertThat(directory.list().stream().filter(b -> BackupName.parse(b.name()).isPresent()))
                .extracting(StoredBackup::name).containsExactly(name);
        assertThatThrownBy(() -> directory.delete("notes.txt")).hasMessageContaining("not a backup name");
        assertThatThrownBy(() -> directory.delete(name + ".sha256")).hasMessageContaining("not a backup name");
        directory.delete(name);
        assertThat(filesOnHost()).containsExactly("notes.txt");
    }
}
