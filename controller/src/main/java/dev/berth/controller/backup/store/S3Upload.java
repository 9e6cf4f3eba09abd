package dev.berth.controller.backup.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
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

/**
 * One backup written to S3 as it comes. A dump smaller than one part is a single PUT; a larger one is a multipart
 * upload whose parts go out on threads of their own, several at once while the next part fills: the stream does not
 * wait on one part's round trip to the storage (which, to a remote endpoint, is most of a part's time). The parts'
 * sizes and how many go at once follow a {@link PartPlan}: the parts grow with the upload, so a large dump stays
 * within S3's 10 000 parts, and memory is at most the plan's {@link PartPlan#maxBufferBytes}, whatever the dump's
 * size: when every slot is taken, the writer waits for the oldest part. A dump larger than the plan allows fails
 * (and is aborted) when it gets there. The upload is completed only by {@link #commit}; on any failure it is aborted
 * (after the parts still going have ended), leaving no object and no pending upload.
 *
 * <p>The sha256 and size are known only at the end, and a multipart upload's metadata is fixed when it starts: they go
 * into an object of their own beside the backup, {@code <key>.sha256} in {@code sha256sum}'s format (as on a Server),
 * written after the upload completed; the backup is confirmed only once that is written too. Rewriting the object's
 * own metadata would take a server-side copy of every byte (time in proportion to the size, a second version of the
 * whole dump in a versioned or locked bucket, and impossible above 5 GiB). A dump of one part is a single PUT, which
 * carries {@code berth-sha256} and {@code berth-size} metadata as well, at no cost.
 */
public final class S3Upload implements BackupTarget {
    public static final String SHA256_METADATA = "berth-sha256";
    public static final String SIZE_METADATA = "berth-size";
    /** The suffix of the object beside each backup that holds its sha256 ({@code sha256sum} format). */
    public static final String SIDECAR_SUFFIX = ".sha256";

    private static final Logger LOG = LoggerFactory.getLogger(S3Upload.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final S3Storage storage;
    private final String key;
    private final Map<String, String> metadata;
    private final PartPlan plan;
    private final List<CompletedPart> parts = new ArrayList<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private byte[] filling;
    private int filled;
    private int buffersAllocated;
    private String uploadId;
    private ExecutorService uploader;
    private boolean done;

    /** A part on its way, and the buffer it is sent from (reused once it has gone). */
    private record InFlight(Future<CompletedPart> part, byte[] buffer) {
    }

    S3Upload(S3Storage storage, String key, Map<String, String> metadata, PartPlan plan) {
        this.storage = storage;
        this.key = key;
        this.metadata = Map.copyOf(metadata);
        this.plan = plan;
    }

    @Override
    public String location() {
        return storage.location(key);
    }

    /**
     * Part buffers this upload has allocated: within one step of its plan, at most one per part in flight and the one
     * filling; a buffer is reused for every part of its size.
     */
    public int buffersAllocated() {
        return buffersAllocated;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        int written = 0;
        while (written < length) {
            if (filling == null) {
                filling = takeBuffer();
            }
            int n = Math.min(length - written, filling.length - filled);
            System.arraycopy(bytes, offset + written, filling, filled, n);
            filled += n;
            written += n;
            if (filled == filling.length) {
                sendPart();
            }
        }
    }

    @Override
    public void commit(BackupDigest digest) throws IOException {
        try {
            if (uploadId == null) {
                Map<String, String> full = new HashMap<>(metadata);
                full.put(SHA256_METADATA, digest.sha256());
                full.put(SIZE_METADATA, Long.toString(digest.sizeBytes()));
                byte[] body = filling == null ? new byte[0] : filling;
                int length = filled;
                storage.client().putObject(b -> b.bucket(storage.bucket()).key(key).metadata(full)
                        .contentLength((long) length), body(body, length));
            } else {
                if (filled > 0) {
                    sendPart();
                }
                while (!inFlight.isEmpty()) {
                    awaitOldest();
                }
                storage.client().completeMultipartUpload(b -> b.bucket(storage.bucket()).key(key)
                        .uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            }
            done = true;
        } catch (SdkException e) {
            throw storage.failure("uploading " + location(), e);
        } finally {
            release();
        }
        byte[] sidecar = sidecarLine(digest, key).getBytes(StandardCharsets.UTF_8);
        try {
            storage.client().putObject(b -> b.bucket(storage.bucket()).key(sidecarKey(key))
                    .contentType("text/plain; charset=utf-8").contentLength((long) sidecar.length),
                    body(sidecar, sidecar.length));
        } catch (SdkException e) {
            StorageException failure = storage.failure("writing the sha256 of " + location(), e);
            deleteQuietly();
            throw failure;
        }
    }

    /** The key of the object beside {@code key} that holds its sha256. */
    public static String sidecarKey(String key) {
        return key + SIDECAR_SUFFIX;
    }

    /** {@code sha256sum}'s line for the backup {@code key}: its digest, two spaces, its file name. */
    static String sidecarLine(BackupDigest digest, String key) {
        return digest.sha256() + "  " + key.substring(key.lastIndexOf('/') + 1) + "\n";
    }

    @Override
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        // A part still uploading could land after the abort and be kept (and billed): let them end first.
        for (InFlight part : inFlight) {
            try {
                part.part().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | CancellationException e) {
                // it failed, or never started: nothing of it to wait for
            }
        }
        inFlight.clear();
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

    /**
     * A buffer for the next part, of the size its step gives. Where the step has fewer parts in flight than are going,
     * it first waits for the oldest (so memory stays within the step's bound); spare buffers of another size are let
     * go.
     */
    private byte[] takeBuffer() throws IOException {
        PartPlan.Step step = plan.at(nextPartNumber()).orElseThrow(() -> new IOException("the dump is larger than "
                + "one S3 upload takes: " + plan.maxParts() + " parts, " + String.format(Locale.ROOT, "%.1f GiB",
                plan.maxBytes() / (1024.0 * 1024 * 1024))));
        while (inFlight.size() > step.inFlight()) {
            awaitOldest();
        }
        spare.removeIf(b -> b.length != step.size());
        if (!spare.isEmpty()) {
            return spare.pop();
        }
        buffersAllocated++;
        return new byte[step.size()];
    }

    /**
     * Hands the filled buffer to the uploaders; when as many parts are going as its step allows, first waits for the
     * oldest.
     */
    private void sendPart() throws IOException {
        try {
            if (uploadId == null) {
                uploadId = storage.client().createMultipartUpload(b -> b.bucket(storage.bucket()).key(key)
                        .metadata(metadata)).uploadId();
                uploader = Executors.newFixedThreadPool(plan.maxInFlight(), r -> {
                    Thread t = new Thread(r, "s3-upload-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            }
        } catch (SdkException e) {
            throw storage.failure("starting the upload of " + location(), e);
        }
        // The parts that have gone are taken first (a failure among them fails this write); then, when every slot
        // is taken, the oldest is waited for.
        int number = nextPartNumber(); // waiting moves parts from in flight to done: the number stays
        int slots = plan.at(number).orElseThrow().inFlight();
        while (!inFlight.isEmpty() && (inFlight.peek().part().isDone() || inFlight.size() >= slots)) {
            awaitOldest();
        }
        byte[] buffer = filling;
        int length = filled;
        String id = uploadId;
        filling = null;
        filled = 0;
        inFlight.add(new InFlight(uploader.submit(() -> {
            String etag = storage.client().uploadPart(b -> b.bucket(storage.bucket()).key(key).uploadId(id)
                    .partNumber(number).contentLength((long) length), body(buffer, length)).eTag();
            return CompletedPart.builder().partNumber(number).eTag(etag).build();
        }), buffer));
    }

    /** The number of the part filling now (or about to): one past every part done or going. */
    private int nextPartNumber() {
        return parts.size() + inFlight.size() + 1;
    }

    /**
     * Waits for the oldest part in flight; its buffer becomes a spare. Parts complete in number order here. Interrupted,
     * the part stays counted as in flight, so that {@link #abort} waits for it.
     */
    private void awaitOldest() throws IOException {
        InFlight oldest = inFlight.peek();
        CompletedPart part;
        try {
            part = oldest.part().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while uploading " + location());
        } catch (ExecutionException e) {
            inFlight.poll();
            throw storage.failure("uploading part " + (parts.size() + 1) + " of " + location(), e.getCause());
        } catch (CancellationException e) {
            inFlight.poll();
            throw new IOException("the upload of " + location() + " was stopped", e);
        }
        inFlight.poll();
        parts.add(part);
        spare.push(oldest.buffer());
    }

    /** The buffer as it is, not copied (RequestBody.fromBytes would copy a whole part). */
    private static RequestBody body(byte[] buffer, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                "application/octet-stream");
    }

    private void release() {
        filling = null;
        spare.clear();
        if (uploader != null) {
            // A part queued but never started would leave its future pending for ever: cancel it.
            for (Runnable never : uploader.shutdownNow()) {
                if (never instanceof Future<?> f) {
                    f.cancel(false);
                }
            }
        }
    }
}
