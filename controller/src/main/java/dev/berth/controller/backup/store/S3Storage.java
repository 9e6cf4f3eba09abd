package dev.berth.controller.backup.store;

import dev.berth.controller.backup.StoredBackup;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One bucket of S3-compatible storage as a backup destination: uploads ({@link S3Upload}), listing and deletion for
 * retention. The keys live only in the SDK's credentials provider: every failure message is built here, from the
 * service's error code and message, and scrubbed of both keys.
 */
public final class S3Storage implements AutoCloseable {
    /** S3's smallest part (all but the last); larger parts mean fewer requests, and more memory per upload. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

    /**
     * Bodies go as they are, not aws-chunked: over HTTPS unsigned (TLS protects them), over plain HTTP signed as one
     * sha256 of the whole part. Every S3-compatible server understands that form, and it costs the server least: an
     * aws-chunked body is taken apart chunk by chunk (s3proxy spends about a third less CPU on a plain one).
     */
    public static final S3Configuration PLAIN_BODIES = S3Configuration.builder().chunkedEncodingEnabled(false).build();

    private final S3Client client;
    private final String endpoint;
    private final String bucket;
    private final EndpointTrust trust;
    private final Scrubber scrubber;

    private S3Storage(S3Client client, String endpoint, String bucket, EndpointTrust trust, Scrubber scrubber) {
        this.client = client;
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.trust = trust;
        this.scrubber = scrubber;
    }

    /**
     * A client for {@code endpoint} (path-style for MinIO, s3proxy and most self-hosted storage), trusting the usual
     * public CAs. The SDK's newer default checksums (aws-chunked trailers) are asked for only where an operation
     * requires them: many S3-compatible servers do not understand them.
     */
    public static S3Storage connect(String endpoint, String region, boolean pathStyle, String bucket,
                                    String accessKeyId, String secretAccessKey) {
        return connect(endpoint, region, pathStyle, bucket, accessKeyId, secretAccessKey, EndpointTrust.PUBLIC_CAS,
                PLAIN_BODIES);
    }

    /**
     * As {@link #connect(String, String, boolean, String, String, String)}, trusting {@code trust}'s CAs, with the body
     * form given (benchmarks).
     */
    public static S3Storage connect(String endpoint, String region, boolean pathStyle, String bucket,
                                    String accessKeyId, String secretAccessKey, EndpointTrust trust,
                                    S3Configuration bodies) {
        Apache5HttpClient.Builder http = Apache5HttpClient.builder();
        if (!trust.usesPublicCas()) {
            TrustManager[] managers = trust.trustManagers();
            http.tlsTrustManagersProvider(() -> managers);
        }
        S3Client client = S3Client.builder()
                .httpClientBuilder(http)
                .endpointOverride(URI.create(endpoint))
                .region(Region.of(region == null || region.isBlank() ? "us-east-1" : region))
                .forcePathStyle(pathStyle)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(bodies)
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD)
                        .apiCallAttemptTimeout(Duration.ofMinutes(5)))
                .build();
        return new S3Storage(client, endpoint, bucket, trust,
                new Scrubber(List.of(accessKeyId, secretAccessKey)));
    }

    /** Starts writing {@code key}; {@code metadata} (no secrets: run id, engine, format) goes on the object. */
    public S3Upload upload(String key, Map<String, String> metadata, PartPlan parts) {
        return new S3Upload(this, key, metadata, parts);
    }

    /**
     * Every object under {@code directory} (a key prefix ending in '/'), named relative to it; the sha256 objects beside
     * backups included: they are not Berth names, so {@code BackupName.parse} (retention, run look-up) passes them by.
     */
    public List<StoredBackup> list(String directory) throws StorageException {
        try {
            List<StoredBackup> out = new ArrayList<>();
            for (S3Object o : client.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket)
                    .prefix(directory).build()).contents()) {
                out.add(new StoredBackup(o.key().substring(directory.length()), o.size(), o.lastModified()));
            }
            return out;
        } catch (SdkException e) {
            throw failure("listing " + location(directory), e);
        }
    }

    /** The stored object, as a stream (read it to its end, then close it); failures to open it are named here. */
    public InputStream read(String key) throws StorageException {
        try {
            return client.getObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw failure("reading " + location(key), e);
        }
    }

    /**
     * The digest the object must have: the sha256 from the object beside it ({@link S3Upload#sidecarKey}) or, for an
     * object written before those existed, its {@link S3Upload#SHA256_METADATA} metadata; and its size. Empty when
     * neither is there.
     */
    public Optional<BackupDigest> expectedDigest(String key) throws StorageException {
        HeadObjectResponse head;
        try {
            head = client.headObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw failure("reading the metadata of " + location(key), e);
        }
        return recordedSha256(key, head).filter(s -> s.matches("[0-9a-f]{64}"))
                .map(s -> new BackupDigest(s, head.contentLength()));
    }

    /**
     * The sha256 recorded for the object {@code key} (its {@code head}): in the object beside it, else (a single PUT, an
     * object from an earlier version) in its metadata; empty when neither has one.
     */
    private Optional<String> recordedSha256(String key, HeadObjectResponse head) throws StorageException {
        return sidecarSha256(key).or(() -> Optional.ofNullable(head.metadata().get(S3Upload.SHA256_METADATA)));
    }

    /** The sha256 in the object beside {@code key}; empty when there is none. */
    private Optional<String> sidecarSha256(String key) throws StorageException {
        try (InputStream in = client.getObject(b -> b.bucket(bucket).key(S3Upload.sidecarKey(key)))) {
            String line = new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
            return Optional.of(line.length() < 64 ? line : line.substring(0, 64));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException | IOException e) {
            throw failure("reading the sha256 of " + location(key), e);
        }
    }

    /** Deletes the object and the sha256 beside it (either may be gone already). */
    public void delete(String key) throws StorageException {
        try {
            client.deleteObject(b -> b.bucket(bucket).key(key));
            client.deleteObject(b -> b.bucket(bucket).key(S3Upload.sidecarKey(key)));
        } catch (SdkException e) {
            throw failure("deleting " + location(key), e);
        }
    }

    /**
     * What a run that never ended (its operator died) may have left under {@code key}: every multipart upload still
     * open for it is aborted, and an object completed without its sha256 (never confirmed) is deleted. An object with
     * its sha256 beside it or in its metadata was complete and checked, and is kept. Returns what was removed.
     */
    public List<String> removeUnconfirmed(String key) throws StorageException {
        List<String> removed = new ArrayList<>();
        try {
            for (var upload : client.listMultipartUploads(b -> b.bucket(bucket).prefix(key)).uploads()) {
                if (upload.key().equals(key)) {
                    client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload.uploadId()));
                    removed.add("an open upload of " + location(key));
                }
            }
        } catch (SdkException e) {
            throw failure("aborting the uploads of " + location(key), e);
        }
        HeadObjectResponse head;
        try {
            head = client.headObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return removed;
        } catch (SdkException e) {
            throw failure("looking for " + location(key), e);
        }
        if (recordedSha256(key, head).isEmpty()) {
            delete(key);
            removed.add(location(key) + ", complete but without its sha256");
        }
        return removed;
    }

    S3Client client() {
        return client;
    }

    public String bucket() {
        return bucket;
    }

    public String location(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** A message fit for status and logs: what failed and what the service said, without either key. */
    StorageException failure(String what, Throwable e) {
        String said;
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
            said = s3.awsErrorDetails().errorCode() + " (HTTP " + s3.statusCode() + ")"
                    + (s3.awsErrorDetails().errorMessage() == null ? "" : ": " + s3.awsErrorDetails().errorMessage());
        } else {
            said = BackupStream.describe(e) + trust.hint(e);
        }
        return new StorageException(scrubber.scrub(what + " at " + endpoint + " failed: " + said));
    }

    @Override
    public void close() {
        client.close();
    }

    /** Removes known secret values from text meant for people. */
    record Scrubber(List<String> secrets) {
        String scrub(String text) {
            String out = text;
            for (String s : secrets) {
                if (s != null && s.length() >= 4) {
                    out = out.replace(s, "[redacted]");
                }
            }
            return out;
        }
    }
}
