package dev.berth.controller.backup.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Backups to a real S3 API server (s3proxy, in-process, filesystem backend). */
class S3UploadIT {
    private static final String BUCKET = "berth-backups";
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path dir;
    private static S3Proxy proxy;
    private static S3Storage storage;

    @BeforeAll
    static void start() throws Exception {
        proxy = new S3Proxy(dir);
        storage = S3Storage.connect(proxy.endpoint(), "us-east-1", true, BUCKET, S3Proxy.ACCESS_KEY,
                S3Proxy.SECRET_KEY);
        storage.client().createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        if (storage != null) {
            storage.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    /** {@code size} bytes that do not compress, the same for the same seed; generated as read, never held whole. */
    static InputStream randomBytes(long seed, long size, long failAfter) {
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private long left = size;
            private long served;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served >= failAfter) {
                    throw new IOException("the dump tool's stream broke");
                }
                if (left == 0) {
                    return -1;
                }
                int n = (int) Math.min(Math.min(len, left), 8192);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) random.nextInt(256);
                }
                left -= n;
                served += n;
                return n;
            }
        };
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static List<String> keys(String prefix) {
        return storage.client().listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                .map(o -> o.key()).toList();
    }

    private static List<String> pendingUploads() {
        return storage.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads().stream()
                .map(u -> u.key()).toList();
    }

    /** Every file the backend holds under the bucket, parts and hidden files included. */
    private static List<String> filesOnDisk(String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve(BUCKET))) {
            return files.filter(Files::isRegularFile).map(p -> dir.resolve(BUCKET).relativize(p).toString())
                    .filter(p -> p.contains(prefix)).toList();
        }
    }

    @Test
    void aMultipartUploadCompletesWithTheRightSha256AndMetadataInBoundedPartBuffers() throws Exception {
        long size = 47L * MIB + 12345;
        String key = "shop/orders/multipart.dump";
        S3Upload upload = storage.upload(key, Map.of("berth-run", "run-1"), PartPlan.STANDARD);
        BackupOutcome outcome = BackupStream.transfer(randomBytes(1, size, Long.MAX_VALUE), List.of(upload), false,
                () -> true);

        String expected = sha256(randomBytes(1, size, Long.MAX_VALUE));
        assertThat(outcome.succeeded()).as(outcome.describeFailure().orElse("")).isTrue();
        assertThat(outcome.digest()).isEqualTo(new BackupDigest(expected, size));
        assertThat(outcome.restorable()).extracting(BackupOutcome.Destination::location)
                .containsExactly("s3://" + BUCKET + "/" + key);
        HeadObjectResponse head = storage.client().headObject(b -> b.bucket(BUCKET).key(key));
        assertThat(head.contentLength()).isEqualTo(size);
        // The metadata it started with; the sha256 beside it, in sha256sum's format (no copy of the object for it).
        assertThat(head.metadata()).containsEntry("berth-run", "run-1").doesNotContainKey(S3Upload.SHA256_METADATA);
        assertThat(storage.client().getObjectAsBytes(b -> b.bucket(BUCKET).key(key + ".sha256")).asUtf8String())
                .isEqualTo(expected + "  multipart.dump\n");
        assertThat(storage.expectedDigest(key)).contains(new BackupDigest(expected, size));
        try (ResponseInputStream<GetObjectResponse> in = storage.client().getObject(b -> b.bucket(BUCKET).key(key))) {
            assertThat(sha256(in)).isEqualTo(expected);
        }
        // Memory by design: 10 parts went through one buffer per part in flight and the one filling, whatever the size.
        assertThat(upload.buffersAllocated()).isEqualTo(PartPlan.STANDARD.steps().get(0).inFlight() + 1);
        assertThat(pendingUploads()).isEmpty();
    }

    @Test
    void partsGrowAsThePlanSaysAndADumpLargerThanThePlanTakesFailsLeavingNothing() throws Exception {
        // Parts 1-2 of 5 MiB, three in flight; from part 3, 6 MiB, one in flight; at most 5 parts.
        PartPlan growing = new PartPlan(List.of(new PartPlan.Step(1, 5 * MIB, 3), new PartPlan.Step(3, 6 * MIB, 1)),
                5);
        long size = 2L * 5 * MIB + 2L * 6 * MIB + 12345; // 5, 5, 6, 6 MiB and a short last part
        String key = "shop/orders/growing.dump";
        S3Upload upload = storage.upload(key, Map.of(), growing);
        BackupOutcome outcome = BackupStream.transfer(randomBytes(5, size, Long.MAX_VALUE), List.of(upload), false,
                () -> true);

        String expected = sha256(randomBytes(5, size, Long.MAX_VALUE));
        assertThat(outcome.succeeded()).as(outcome.describeFailure().orElse("")).isTrue();
        assertThat(outcome.digest()).isEqualTo(new BackupDigest(expected, size));
        HeadObjectResponse head = storage.client().headObject(b -> b.bucket(BUCKET).key(key));
        assertThat(head.contentLength()).isEqualTo(size);
        assertThat(storage.expectedDigest(key)).contains(new BackupDigest(expected, size));
        try (ResponseInputStream<GetObjectResponse> in = storage.client().getObject(b -> b.bucket(BUCKET).key(key))) {
            assertThat(sha256(in)).isEqualTo(expected);
        }
        // Two buffers of 5 MiB (the second filled while the first went), then two of 6 MiB (one in flight, one
        // filling): the 5 MiB ones were let go, not kept beside the larger ones.
        assertThat(upload.buffersAllocated()).isEqualTo(4);
        assertThat(pendingUploads()).doesNotContain(key);

        String tooLarge = "shop/orders/too-large.dump";
        S3Upload over = storage.upload(tooLarge, Map.of(), growing);
        BackupOutcome refused = BackupStream.transfer(randomBytes(6, growing.maxBytes() + 1, Long.MAX_VALUE),
                List.of(over), false, () -> true);
        assertThat(refused.succeeded()).isFalse();
        assertThat(refused.destinations().get(0).failure()).hasValueSatisfying(f -> assertThat(f)
                .contains("the dump is larger than one S3 upload takes: 5 parts"));
        assertThat(keys("shop/orders/too-large")).isEmpty();
        assertThat(pendingUploads()).doesNotContain(tooLarge);
        assertThat(filesOnDisk("too-large")).isEmpty();
    }

    @Test
    void aSmallDumpIsOnePutWithItsMetadataAndCompressedWhenAskedTo() throws Exception {
        byte[] sql = "INSERT INTO t VALUES (1);\n".repeat(10_000).getBytes();
        String key = "shop/orders/small.sql.gz";
        S3Upload upload = storage.upload(key, Map.of(), PartPlan.STANDARD);
        BackupOutcome outcome = BackupStream.transfer(new java.io.ByteArrayInputStream(sql), List.of(upload), true,
                () -> true);

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.dumpBytes()).isEqualTo(sql.length);
        assertThat(outcome.digest().sizeBytes()).isLessThan(sql.length / 10);
        assertThat(upload.buffersAllocated()).isEqualTo(1);
        HeadObjectResponse head = storage.client().headObject(b -> b.bucket(BUCKET).key(key));
        // One PUT carries the sha256 and size as metadata too; the object beside it is written as for every backup.
        assertThat(head.metadata()).containsEntry(S3Upload.SHA256_METADATA, outcome.digest().sha256())
                .containsEntry(S3Upload.SIZE_METADATA, Long.toString(outcome.digest().sizeBytes()));
        assertThat(storage.expectedDigest(key)).contains(outcome.digest());
        try (ResponseInputStream<GetObjectResponse> in = storage.client().getObject(b -> b.bucket(BUCKET).key(key))) {
            assertThat(new GZIPInputStream(in).readAllBytes()).isEqualTo(sql);
        }
    }

    @Test
    void theExpectedDigestComesFromBesideTheObjectOrFromOlderMetadataAndGoesWithIt() throws Exception {
        String key = "shop/orders/digests.dump";
        S3Upload upload = storage.upload(key, Map.of(), PartPlan.STANDARD);
        BackupOutcome outcome = BackupStream.transfer(randomBytes(7, 12L * MIB, Long.MAX_VALUE), List.of(upload),
                false, () -> true);
        assertThat(outcome.succeeded()).isTrue();
        assertThat(keys("shop/orders/digests")).containsExactlyInAnyOrder(key, key + ".sha256");

        // The object beside it wins over metadata (it is what Berth writes now); a changed one is what a restore uses.
        String other = "0".repeat(64);
        storage.client().putObject(b -> b.bucket(BUCKET).key(key + ".sha256"), RequestBody.fromString(other
                + "  digests.dump\n"));
        assertThat(storage.expectedDigest(key)).contains(new BackupDigest(other, 12L * MIB));

        // An object from before the sha256 objects: its metadata; an object with neither: nothing to check against.
        String older = "shop/orders/older.dump";
        storage.client().putObject(b -> b.bucket(BUCKET).key(older).metadata(Map.of(S3Upload.SHA256_METADATA,
                outcome.digest().sha256())), RequestBody.fromString("older"));
        assertThat(storage.expectedDigest(older)).contains(new BackupDigest(outcome.digest().sha256(), 5));
        String bare = "shop/orders/bare.dump";
        storage.client().putObject(b -> b.bucket(BUCKET).key(bare), RequestBody.fromString("bare"));
        assertThat(storage.expectedDigest(bare)).isEmpty();

        // Deleting a backup deletes the sha256 beside it.
        storage.delete(key);
        assertThat(keys("shop/orders/digests")).isEmpty();
    }

    @Test
    void aSourceThatBreaksOffAbortsTheUploadLeavingNoObjectAndNoPendingUpload() throws Exception {
        String key = "shop/orders/broken.dump";
        S3Upload upload = storage.upload(key, Map.of(), PartPlan.STANDARD);
        BackupOutcome outcome = BackupStream.transfer(randomBytes(2, 30L * MIB, 12L * MIB), List.of(upload), false,
                () -> true);

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).hasValueSatisfying(f -> assertThat(f).contains("broke off"));
        assertThat(outcome.restorable()).isEmpty();
        assertThat(keys("shop/orders/broken")).isEmpty();
        assertThat(pendingUploads()).doesNotContain(key);
        assertThat(filesOnDisk("broken")).isEmpty();
        try {
            storage.client().headObject(b -> b.bucket(BUCKET).key(key));
            throw new AssertionError("the object exists");
        } catch (S3Exception expected) {
            assertThat(expected.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aToolThatExitsNonZeroAbortsAFullyStreamedUpload() throws Exception {
        String key = "shop/orders/tool-failed.dump";
        S3Upload upload = storage.upload(key, Map.of(), PartPlan.STANDARD);
        BackupOutcome outcome = BackupStream.transfer(randomBytes(3, 11L * MIB, Long.MAX_VALUE), List.of(upload),
                false, () -> false);

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).contains("the dump tool did not exit cleanly");
        assertThat(keys("shop/orders/tool-failed")).isEmpty();
        assertThat(pendingUploads()).doesNotContain(key);
        assertThat(filesOnDisk("tool-failed")).isEmpty();
    }

    @Test
    void anEmptyDumpIsAFailureNotAZeroByteBackup() throws Exception {
        S3Upload upload = storage.upload("shop/orders/empty.dump", Map.of(), PartPlan.STANDARD);
        BackupOutcome outcome = BackupStream.transfer(InputStream.nullInputStream(), List.of(upload), false,
                () -> true);
        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).hasValueSatisfying(f -> assertThat(f).contains("empty"));
        assertThat(keys("shop/orders/empty")).isEmpty();
    }

    @Test
    void wrongKeysFailCleanlyWithNoSecretInTheMessage() throws Exception {
        String wrongSecret = "wrong-secret-8d7f6a5e4c";
        String wrongAccess = "wrong-access-1a2b3c";
        for (String[] keys : List.of(new String[] {S3Proxy.ACCESS_KEY, wrongSecret},
                new String[] {wrongAccess, S3Proxy.SECRET_KEY})) {
            try (S3Storage refused = S3Storage.connect(proxy.endpoint(), "us-east-1", true, BUCKET, keys[0],
                    keys[1])) {
                // Large enough to start a multipart upload, and a small one (a single PUT at commit).
                for (long size : new long[] {6L * MIB, 1000}) {
                    S3Upload upload = refused.upload("shop/orders/refused-" + size + ".dump", Map.of(),
                            PartPlan.STANDARD);
                    BackupOutcome outcome = BackupStream.transfer(randomBytes(4, size, Long.MAX_VALUE),
                            List.of(upload), false, () -> true);
                    String message = outcome.describeFailure().orElseThrow();
                    assertThat(outcome.succeeded()).isFalse();
                    assertThat(message).contains("HTTP 403").doesNotContain(wrongSecret, wrongAccess,
                            S3Proxy.SECRET_KEY, S3Proxy.ACCESS_KEY);
                }
            }
        }
        assertThat(keys("shop/orders/refused")).isEmpty();
    }

    @Test
    void whatARunThatNeverEndedLeftIsRemovedButAConfirmedCopyIsKept() throws Exception {
        // An upload still open; an object completed whose sha256 was never written; a backup confirmed in full.
        String open = "left/shop/orders/open.dump";
        String uploadId = storage.client().createMultipartUpload(b -> b.bucket(BUCKET).key(open)).uploadId();
        storage.client().uploadPart(b -> b.bucket(BUCKET).key(open).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(new byte[(int) (5 * MIB)]));
        String unconfirmed = "left/shop/orders/unconfirmed.dump";
        storage.client().putObject(b -> b.bucket(BUCKET).key(unconfirmed), RequestBody.fromString("a whole dump"));
        String confirmed = "left/shop/orders/confirmed.dump";
        S3Upload upload = storage.upload(confirmed, Map.of(), PartPlan.STANDARD);
        assertThat(BackupStream.transfer(randomBytes(6, 100, Long.MAX_VALUE), List.of(upload), false, () -> true)
                .succeeded()).isTrue();

        // One an earlier version of Berth completed, its sha256 in its metadata (no sidecar then): complete, kept.
        String earlier = "left/shop/orders/earlier.dump";
        storage.client().putObject(b -> b.bucket(BUCKET).key(earlier).metadata(Map.of(S3Upload.SHA256_METADATA,
                "0".repeat(64))), RequestBody.fromString("an earlier dump"));

        assertThat(storage.removeUnconfirmed(open)).singleElement().asString().contains("open upload");
        assertThat(storage.removeUnconfirmed(earlier)).isEmpty();
        assertThat(storage.removeUnconfirmed(unconfirmed)).singleElement().asString().contains("without its sha256");
        assertThat(storage.removeUnconfirmed(confirmed)).isEmpty();
        assertThat(pendingUploads()).doesNotContain(open);
        // (s3proxy's filesystem backend lists the directories it made as keys ending in '/': not objects)
        assertThat(keys("left/")).filteredOn(k -> !k.endsWith("/")).containsExactlyInAnyOrder(confirmed,
                confirmed + ".sha256", earlier);
    }

    @Test
    void listingAndDeletingForRetention() throws Exception {
        String directory = "list/shop/orders/";
        for (String name : List.of("a.dump", "b.dump")) {
            S3Upload upload = storage.upload(directory + name, Map.of(), PartPlan.STANDARD);
            assertThat(BackupStream.transfer(randomBytes(5, 100, Long.MAX_VALUE), List.of(upload), false,
                    () -> true).succeeded()).isTrue();
        }
        // The sha256 objects are listed (as a Server's sidecars are), and go with their backup.
        assertThat(storage.list(directory)).extracting(s -> s.name() + ":" + s.sizeBytes())
                .containsExactlyInAnyOrder("a.dump:100", "a.dump.sha256:73", "b.dump:100", "b.dump.sha256:73");
        storage.delete(directory + "a.dump");
        assertThat(storage.list(directory)).extracting(s -> s.name()).containsExactlyInAnyOrder("b.dump",
                "b.dump.sha256");
    }
}
