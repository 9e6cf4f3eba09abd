package dev.berth.controller.backup.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;

/**
 * One backup written to S3 as it comes. A dump smaller than one part is a single PUT; a larger one is a multipart
 * upload whose parts go out one at a time on a thread of their own while the next part fills, so memory is at most
 * two part buffers, whatever the dump's size. The upload is completed only by {@link #commit}; on any failure it is
 * aborted, leaving no object and no pending upload.
 *
 * <p>Object metadata {@code berth-sha256} and {@code berth-size} are known only at the end, and a multipart upload's
 * metadata is fixed when it starts: after completing, the object is copied onto itself with the full metadata (a
 * server-side copy; S3 allows that up to 5 GiB). A larger object keeps the metadata it started with and its sha256
 * lives in status and the mirror only.
 */
public final class S3Upload implements BackupTarget {
    public static final String SHA256_METADATA = "berth-sha256";
    public static final String SIZE_METADATA = "berth-size";
    /** The largest object S3 copies in one request. */
    static final long MAX_COPY_BYTES = 5L * 1024 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(S3Upload.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final S3Storage storage;
    private final String key;
    private final Map<String, String> metadata;
    private final int partSize;
    private final List<CompletedPart> parts = new ArrayList<>();
    private byte[] filling;
    private int filled;
    private byte[] spare;
    private int buffersAllocated;
    private String uploadId;
    private ExecutorService uploader;
    private Future<CompletedPart> inFlight;
    private byte[] inFlightBuffer;
    private boolean done;

    S3Upload(S3Storage storage, String key, Map<String, String> metadata, int partSize) {
        if (partSize < S3Storage.MIN_PART_SIZE) {
            throw new IllegalArgumentException("S3 parts are at least 5 MiB");
        }
        this.storage = storage;
        this.key = key;
        this.metadata = Map.copyOf(metadata);
        this.partSize = partSize;
    }

    @Override
    public String location() {
        return storage.location(key);
    }

    /** Part buffers this upload has allocated (at most two, by design); each is {@code partSize} bytes. */
    public int buffersAllocated() {
        return buffersAllocated;
    }

    public int partSize() {
        return partSize;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        int written = 0;
        while (written < length) {
            if (filling == null) {
                filling = takeBuffer();
            }
            int n = Math.min(length - written, partSize - filled);
            System.arraycopy(bytes, offset + written, filling, filled, n);
            filled += n;
            written += n;
            if (filled == partSize) {
                sendPart();
            }
        }
    }

    @Override
    public void commit(BackupDigest digest) throws IOException {
        Map<String, String> full = new HashMap<>(metadata);
        full.put(SHA256_METADATA, digest.sha256());
        full.put(SIZE_METADATA, Long.toString(digest.sizeBytes()));
        try {
            if (uploadId == null) {
                byte[] body = filling == null ? new byte[0] : filling;
                int length = filled;
                storage.client().putObject(b -> b.bucket(storage.bucket()).key(key).metadata(full)
                        .contentLength((long) length), body(body, length));
                done = true;
                return;
            }
            if (filled > 0) {
                sendPart();
            }
            awaitInFlight();
            storage.client().completeMultipartUpload(b -> b.bucket(storage.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            done = true;
        } catch (SdkException e) {
            throw storage.failure("uploading " + location(), e);
        } finally {
            release();
        }
        if (digest.sizeBytes() > MAX_COPY_BYTES) {
            LOG.info("{}: {} bytes, too large to rewrite its metadata in one copy; its sha256 is in status and the "
                    + "mirror only", location(), digest.sizeBytes());
            return;
        }
        try {
            storage.client().copyObject(b -> b.sourceBucket(storage.bucket()).sourceKey(key)
                    .destinationBucket(storage.bucket()).destinationKey(key)
                    .metadataDirective(MetadataDirective.REPLACE).metadata(full));
        } catch (SdkException e) {
            StorageException failure = storage.failure("writing the metadata of " + location(), e);
            deleteQuietly();
            throw failure;
        }
    }

    @Override
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        if (inFlight != null) {
            // A part still uploading could land after the abort and be kept (and billed): let it end first.
            try {
                inFlight.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // it failed: nothing of it to wait for
            }
            inFlight = null;
        }
        release();
        if (uploadId != null) {
            try {
                storage.client().abortMultipartUpload(b -> b.bucket(storage.bucket()).key(key).uploadId(uploadId));
            } catch (SdkException e) {
                // Left for the bucket's lifecycle rule on incomplete uploads; nothing under the backup's name exists.
                LOG.warn("{}: aborting the multipart upload failed: {}", location(),
                        storage.failure("aborting", e).getMessage());
            }
        }
    }

    private void deleteQuietly() {
        try {
            storage.delete(key);
        } catch (StorageException e) {
            LOG.warn("{}: {}", location(), e.getMessage());
        }
    }

    private byte[] takeBuffer() {
        if (spare != null) {
            byte[] b = spare;
            spare = null;
            return b;
        }
        buffersAllocated++;
        return new byte[partSize];
    }

    /** Hands the filled buffer to the uploader, after the part before it has gone (one part in flight at most). */
    private void sendPart() throws IOException {
        try {
            if (uploadId == null) {
                uploadId = storage.client().createMultipartUpload(b -> b.bucket(storage.bucket()).key(key)
                        .metadata(metadata)).uploadId();
                uploader = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "s3-upload-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            }
        } catch (SdkException e) {
            throw storage.failure("starting the upload of " + location(), e);
        }
        awaitInFlight();
        byte[] buffer = filling;
        int length = filled;
        int number = parts.size() + 1;
        String id = uploadId;
        filling = null;
        filled = 0;
        inFlightBuffer = buffer;
        inFlight = uploader.submit(() -> {
            String etag = storage.client().uploadPart(b -> b.bucket(storage.bucket()).key(key).uploadId(id)
                    .partNumber(number).contentLength((long) length), body(buffer, length)).eTag();
            return CompletedPart.builder().partNumber(number).eTag(etag).build();
        });
    }

    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            parts.add(inFlight.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while uploading " + location());
        } catch (ExecutionException e) {
            throw storage.failure("uploading part " + (parts.size() + 1) + " of " + location(), e.getCause());
        } finally {
            inFlight = null;
            spare = inFlightBuffer;
            inFlightBuffer = null;
        }
    }

    /** The buffer as it is, not copied (RequestBody.fromBytes would copy a whole part). */
    private static RequestBody body(byte[] buffer, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                "application/octet-stream");
    }

    private void release() {
        filling = null;
        spare = null;
        inFlightBuffer = null;
        if (uploader != null) {
            uploader.shutdownNow();
        }
    }
}
