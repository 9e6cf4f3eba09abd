package dev.berth.controller.bench;

import dev.berth.controller.backup.store.S3Proxy;
import dev.berth.controller.backup.store.S3Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The older tool's upload step (for {@link BackupBenchmark}): a separate S3 client, in a process of its own, uploading
 * a finished dump file from the host's disk as the AWS CLI does — multipart, 8 MiB parts, several parts in flight.
 * Prints {@code uploadMs=<n>} (from the first request to the completed upload, the JVM's start not included).
 *
 * <pre>java -cp … dev.berth.controller.bench.FileToS3Upload ENDPOINT BUCKET KEY FILE</pre>
 */
public final class FileToS3Upload {
    private static final int PART_SIZE = 8 * 1024 * 1024;
    private static final int PARTS_IN_FLIGHT = 4;

    private FileToS3Upload() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String bucket = args[1];
        String key = args[2];
        Path file = Path.of(args[3]);
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Storage.PLAIN_BODIES) // as Berth's client: the same cost to s3proxy per byte
                .build();
             FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long started = System.nanoTime();
            long size = channel.size();
            String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
            ExecutorService pool = Executors.newFixedThreadPool(PARTS_IN_FLIGHT);
            try {
                List<Future<CompletedPart>> parts = new ArrayList<>();
                int number = 0;
                for (long offset = 0; offset < size; offset += PART_SIZE) {
                    int partNumber = ++number;
                    long from = offset;
                    int length = (int) Math.min(PART_SIZE, size - offset);
                    parts.add(pool.submit(() -> {
                        byte[] part = read(channel, from, length);
                        String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) length), RequestBody.fromBytes(part)).eTag();
                        return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
                    }));
                }
                List<CompletedPart> done = new ArrayList<>();
                for (Future<CompletedPart> p : parts) {
                    done.add(p.get());
                }
                done.sort(Comparator.comparing(CompletedPart::partNumber));
                s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(done)));
            } finally {
                pool.shutdownNow();
            }
            System.out.println("uploadMs=" + (System.nanoTime() - started) / 1_000_000);
        }
    }

    private static byte[] read(FileChannel channel, long offset, int length) {
        byte[] part = new byte[length];
        ByteBuffer into = ByteBuffer.wrap(part);
        try {
            while (into.hasRemaining()) {
                if (channel.read(into, offset + into.position()) < 0) {
                    throw new IOException("the file ended early");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return part;
    }
}
