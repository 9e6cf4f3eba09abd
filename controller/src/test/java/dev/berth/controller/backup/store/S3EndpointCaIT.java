package dev.berth.controller.backup.store;

import static dev.berth.controller.backup.store.S3UploadIT.randomBytes;
import static dev.berth.controller.backup.store.S3UploadIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3-compatible storage behind a private CA (spec.destination.s3.endpointCA): s3proxy over HTTPS with a key a CA made
 * for this test signed, the way a self-hosted MinIO is often set up.
 */
class S3EndpointCaIT {
    private static final String BUCKET = "berth-backups";
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path dir;
    private static TestCa ca;
    private static S3Proxy proxy;
    private static S3Storage trusting;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create(dir, "berth-it-ca");
        proxy = new S3Proxy(Files.createDirectories(dir.resolve("s3")), ca.serverKeyStore("s3proxy", "ip:127.0.0.1"),
                TestCa.PASSWORD);
        trusting = connect(proxy, EndpointTrust.fromPem(ca.certificatePem()));
        trusting.client().createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        if (trusting != null) {
            trusting.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    private static S3Storage connect(S3Proxy to, EndpointTrust trust) {
        return S3Storage.connect(to.endpoint(), "us-east-1", true, BUCKET, S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY,
                trust, S3Storage.PLAIN_BODIES);
    }

    private static BackupOutcome backUp(S3Storage storage, String key, long size) throws Exception {
        return BackupStream.transfer(randomBytes(7, size, Long.MAX_VALUE),
                List.of(storage.upload(key, Map.of(), PartPlan.STANDARD)), false, () -> true);
    }

    private static List<String> keys(String prefix) {
        return trusting.client().listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                .map(o -> o.key()).toList();
    }

    @Test
    void withItsCaABackupIsUploadedListedAndReadBack() throws Exception {
        assertThat(proxy.endpoint()).startsWith("https://");
        long size = 12L * MIB + 7; // a multipart upload
        String key = "shop/orders/private-ca.dump";
        BackupOutcome outcome = backUp(trusting, key, size);
        assertThat(outcome.succeeded()).as(outcome.describeFailure().orElse("")).isTrue();
        String expected = sha256(randomBytes(7, size, Long.MAX_VALUE));
        assertThat(trusting.expectedDigest(key)).contains(new BackupDigest(expected, size));
        assertThat(trusting.list("shop/orders/")).extracting(StoredBackup -> StoredBackup.name())
                .contains("private-ca.dump");
        try (var in = trusting.read(key)) {
            assertThat(sha256(in)).isEqualTo(expected);
        }
    }

    @Test
    void withoutItsCaOrWithAnotherTheRunFailsSayingWhereToNameTheCaAndLeavesNothing() throws Exception {
        TestCa other = TestCa.create(dir, "another-ca");
        for (EndpointTrust trust : List.of(EndpointTrust.PUBLIC_CAS, EndpointTrust.fromPem(other.certificatePem()))) {
            try (S3Storage untrusting = connect(proxy, trust)) {
                for (long size : new long[] {6L * MIB, 1000}) { // multipart, and a single PUT at commit
                    BackupOutcome outcome = backUp(untrusting, "shop/untrusted/" + size + ".dump", size);
                    String message = outcome.describeFailure().orElseThrow();
                    assertThat(outcome.succeeded()).isFalse();
                    assertThat(message).contains(proxy.endpoint())
                            .contains(trust.usesPublicCas()
                                    ? "if a private CA signed it, name that CA's certificate in spec.destination.s3.endpointCA"
                                    : "it does not chain to the certificate(s) in spec.destination.s3.endpointCA")
                            .doesNotContain(S3Proxy.SECRET_KEY, S3Proxy.ACCESS_KEY);
                }
            }
        }
        assertThat(keys("shop/untrusted/")).isEmpty();
        assertThat(trusting.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }

    /** Trusting a CA does not turn off the check of the endpoint's name: its certificate must be for that host. */
    @Test
    void aCertificateTheCaSignedForAnotherNameIsRefused() throws Exception {
        try (S3Proxy elsewhere = new S3Proxy(Files.createDirectories(dir.resolve("s3-elsewhere")),
                ca.serverKeyStore("elsewhere", "dns:s3.elsewhere.invalid"), TestCa.PASSWORD);
             S3Storage storage = connect(elsewhere, EndpointTrust.fromPem(ca.certificatePem()))) {
            BackupOutcome outcome = backUp(storage, "shop/orders/wrong-name.dump", 1000);
            assertThat(outcome.succeeded()).isFalse();
            assertThat(outcome.describeFailure().orElseThrow())
                    .contains("or its name does not match the endpoint");
        }
    }
}
