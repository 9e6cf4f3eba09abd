package dev.berth.controller.mirror;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.controller.mirror.PendingWrites.HistoryWrite;
import dev.berth.controller.mirror.PendingWrites.ResourceWrite;
import dev.berth.controller.mirror.PendingWrites.ResyncWrite;
import dev.berth.controller.mirror.PendingWrites.Write;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror on PostgreSQL through jOOQ.
 *
 * <p>While the database answers, each write is made at once on the caller's thread (a few milliseconds), so
 * {@link #isBehind()} is false right after it and the reconciler's "Mirrored" condition does not flap. When a write
 * fails because the database cannot be reached, it goes into {@link PendingWrites} and so does every later write
 * (keeping their order) until a background thread has written them all, retrying with exponential backoff. A
 * reconcile is therefore held up at most once per outage, by the pool's connect timeout (1 s).
 *
 * <p>One exception to "at once": activity rows ({@link #recordActivity}) are handed to a thread of their own
 * ({@code berth-mirror-activity}, in order) that writes them the same way, so that a look which acts on a host is not
 * held up by a transaction per action (about 10 ms each) on its way to a started container. They are not counted in
 * {@link #isBehind()} while queued there (a few milliseconds), and {@link #close()} writes them first.
 *
 * <p>A write the database rejects for good (a bug, not an outage) is logged and dropped rather than blocking
 * everything behind it. Log lines never carry values: kind, namespace/name, uid and SQLState only.
 *
 * <p>Does not own the {@link MirrorDatabase}: close the mirror first, then the database.
 */
public final class PostgresMirror implements Mirror {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresMirror.class);
    private static final int BATCH_SIZE = 500;
    /** How long a caller waits for the background writer's batch before it queues its write instead. */
    private static final long DIRECT_WAIT_MILLIS = 250;

    private final MirrorDatabase db;
    private final Clock clock;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final PendingWrites pending = new PendingWrites();
    /** Direct writes share the read lock; the background writer takes the write lock, so it never races them. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Semaphore wakeUp = new Semaphore(0);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong droppedWrites = new AtomicLong();
    private final AtomicLong lineSequence;
    private final Thread writer;
    private final ExecutorService activity = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "berth-mirror-activity");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    private volatile boolean outage;
    /** A batch taken from {@link #pending} is being written: still behind until it is committed. */
    private volatile boolean inFlight;

    public PostgresMirror(MirrorDatabase db) {
        this(db, Clock.systemUTC(), Duration.ofMillis(200), Duration.ofSeconds(30));
    }

    /**
     * @param minBackoff first wait before retrying after a failed write; doubled on each failure
     * @param maxBackoff the longest wait between retries
     */
    public PostgresMirror(MirrorDatabase db, Clock clock, Duration minBackoff, Duration maxBackoff) {
        this.db = db;
        this.clock = clock;
        this.minBackoff = minBackoff;
        this.maxBackoff = maxBackoff;
        this.lineSequence = new AtomicLong(clock.millis() * 1000);
        this.writer = new Thread(this::runWriter, "berth-mirror-writer");
        writer.setDaemon(true);
        writer.start();
    }

    // --- Mirror ---

    @Override
    public void upsert(HasMetadata resource) {
        guarded("upsert", resource, () -> submit(new ResourceWrite(MirrorRows.of(resource, now()), true, null)));
    }

    @Override
    public void markDeleted(HasMetadata resource) {
        guarded("markDeleted", resource, () -> {
            OffsetDateTime now = now();
            submit(new ResourceWrite(MirrorRows.of(resource, now), false, now));
        });
    }

    @Override
    public void resync(Class<? extends HasMetadata> kind, Collection<String> namespaces, Collection<String> liveUids) {
        guarded("resync", null, () -> {
            MirrorKind mirrorKind = MirrorKind.of(kind)
                    .orElseThrow(() -> new IllegalArgumentException("not a mirrored kind: " + kind.getSimpleName()));
            Set<UUID> live = new HashSet<>();
            for (String uid : liveUids) {
                UUID id = MirrorRows.uuidOrNull(uid);
                if (id != null) {
                    live.add(id);
                }
            }
            submit(new ResyncWrite(mirrorKind, Set.copyOf(namespaces), live, now()));
        });
    }

    @Override
    public void recordActivity(HasMetadata resource, String action, String detail) {
        guarded("recordActivity", resource, () -> {
            OffsetDateTime now = now();
            ResourceRows owner = MirrorRows.of(resource, now);
            UUID id = UUID.randomUUID();
            HistoryWrite write = new HistoryWrite("activity " + action + " of " + owner.describe(), 0,
                    tx -> MirrorSql.insertActivity(tx, id, owner, action, detail, now));
            try {
                activity.execute(() -> submit(write));
            } catch (RejectedExecutionException e) {
                submit(write); // closing: counted as dropped there
            }
        });
    }

    @Override
    public UUID deploymentQueued(Application application, String image, String reason) {
        UUID id = UUID.randomUUID();
        guarded("deploymentQueued", application, () -> {
            OffsetDateTime now = now();
            ResourceRows app = MirrorRows.of(application, now);
            submit(new HistoryWrite("deployment " + id + " of " + app.describe(), 0,
                    tx -> MirrorSql.insertDeployment(tx, id, app, image, reason, now)));
        });
        return id;
    }

    @Override
    public void deploymentStarted(UUID deploymentId) {
        guarded("deploymentStarted", null, () -> {
            OffsetDateTime now = now();
            submit(new HistoryWrite("start of deployment " + deploymentId, 0,
                    tx -> MirrorSql.deploymentStarted(tx, deploymentId, now)));
        });
    }

    @Override
    public void deploymentLog(UUID deploymentId, List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            return;
        }
        guarded("deploymentLog", null, () -> {
            OffsetDateTime now = now();
            List<MirrorSql.LogLine> rows = new ArrayList<>(lines.size());
            for (String line : lines) {
                rows.add(new MirrorSql.LogLine(UUID.randomUUID(), lineSequence.incrementAndGet(), now,
                        line == null ? "" : line));
            }
            submit(new HistoryWrite(rows.size() + " log lines of deployment " + deploymentId, rows.size(),
                    tx -> MirrorSql.deploymentLog(tx, deploymentId, rows)));
        });
    }

    @Override
    public void deploymentFinished(UUID deploymentId, DeploymentStatus outcome, String imageDigest, String message) {
        guarded("deploymentFinished", null, () -> {
            if (!outcome.isFinal()) {
                throw new IllegalArgumentException("a deployment cannot finish as " + outcome.value());
            }
            OffsetDateTime now = now();
            submit(new HistoryWrite("end (" + outcome.value() + ") of deployment " + deploymentId, 0,
                    tx -> MirrorSql.deploymentFinished(tx, deploymentId, outcome, imageDigest, message, now)));
        });
    }

    @Override
    public void closeStuckDeployments(String message) {
        guarded("closeStuckDeployments", null, () -> {
            OffsetDateTime cutoff = now();
            submit(new HistoryWrite("close deployments stuck before " + cutoff, 0, tx -> {
                int closedCount = MirrorSql.closeStuckDeployments(tx, cutoff, message, now());
                if (closedCount > 0) {
                    LOG.info("Mirror: closed {} deployments left unfinished by an earlier operator as failed", closedCount);
                }
            }));
        });
    }

    @Override
    public UUID backupStarted(ScheduledBackup backup, String trigger) {
        UUID id = UUID.randomUUID();
        guarded("backupStarted", backup, () -> {
            OffsetDateTime now = now();
            ResourceRows owner = MirrorRows.of(backup, now);
            String triggerKind = trigger == null || trigger.isBlank() ? "scheduled" : trigger;
            submit(new HistoryWrite("backup execution " + id + " of " + owner.describe(), 0,
                    tx -> MirrorSql.insertBackupExecution(tx, id, owner, triggerKind, now)));
        });
        return id;
    }

    @Override
    public void backupFinished(UUID executionId, BackupStatus outcome, Long sizeBytes, String location, String message) {
        guarded("backupFinished", null, () -> {
            if (outcome == BackupStatus.RUNNING) {
                throw new IllegalArgumentException("a backup execution cannot finish as running");
            }
            OffsetDateTime now = now();
            submit(new HistoryWrite("end (" + outcome.value() + ") of backup execution " + executionId, 0,
                    tx -> MirrorSql.backupFinished(tx, executionId, outcome, sizeBytes, location, message, now)));
        });
    }

    @Override
    public void backupStarted(ScheduledBackup backup, UUID id, String trigger, Instant slot, Instant startedAt) {
        guarded("backupStarted", backup, () -> {
            OffsetDateTime now = now();
            ResourceRows owner = MirrorRows.of(backup, now);
            submit(new HistoryWrite("backup execution " + id + " of " + owner.describe(), 0,
                    tx -> MirrorSql.insertBackupExecution(tx, id, owner, trigger, BackupStatus.RUNNING, slot,
                            startedAt, null, now)));
        });
    }

    @Override
    public void backupFinished(UUID id, BackupExecutionEnd end) {
        guarded("backupFinished", null, () -> {
            if (end.status() != BackupStatus.SUCCEEDED && end.status() != BackupStatus.FAILED) {
                throw new IllegalArgumentException("a backup execution ends as succeeded or failed");
            }
            OffsetDateTime now = now();
            submit(new HistoryWrite("end (" + end.status().value() + ") of backup execution " + id, 0,
                    tx -> MirrorSql.backupFinished(tx, id, end, now)));
        });
    }

    @Override
    public void backupSlotNotRun(ScheduledBackup backup, UUID id, BackupStatus status, Instant slot, String message) {
        guarded("backupSlotNotRun", backup, () -> {
            if (status != BackupStatus.SKIPPED && status != BackupStatus.MISSED) {
                throw new IllegalArgumentException("a slot not run is skipped or missed");
            }
            OffsetDateTime now = now();
            ResourceRows owner = MirrorRows.of(backup, now);
            submit(new HistoryWrite(status.value() + " slot " + slot + " of " + owner.describe(), 0,
                    tx -> MirrorSql.insertBackupExecution(tx, id, owner, "scheduled", status, slot, slot, message,
                            now)));
        });
    }

    @Override
    public void backupCopyDeleted(UUID id, String location, String why) {
        guarded("backupCopyDeleted", null, () -> {
            OffsetDateTime now = now();
            submit(new HistoryWrite("retention of backup execution " + id, 0,
                    tx -> MirrorSql.backupCopyDeleted(tx, id, location, why, now)));
        });
    }

    @Override
    public void recordPrivateKeyFingerprint(Server server, String fingerprint) {
        guarded("recordPrivateKeyFingerprint", server, () -> {
            OffsetDateTime now = now();
            ResourceRows owner = MirrorRows.of(server, now);
            if (owner.privateKey() == null) {
                return;
            }
            submit(new HistoryWrite("private key fingerprint of " + owner.describe(), 0,
                    tx -> MirrorSql.recordPrivateKeyFingerprint(tx, owner, fingerprint, now)));
        });
    }

    @Override
    public boolean isBehind() {
        return inFlight || !db.isMigrated() || !pending.isEmpty();
    }

    /**
     * Waits until the activity rows recorded so far have been handed to PostgreSQL (written, or queued as pending when
     * it does not answer), at most {@code timeout}; true when they have.
     */
    public boolean awaitActivity(Duration timeout) {
        try {
            activity.submit(() -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            return false;
        }
    }

    /** Writes waiting for PostgreSQL (resource states, re-syncs, history rows). */
    public int pendingWrites() {
        return pending.size();
    }

    /** Writes dropped because PostgreSQL rejected them for good, plus log lines beyond the in-memory cap. */
    public long droppedWrites() {
        return droppedWrites.get() + pending.droppedLogLines();
    }

    /**
     * Stops the background writer after one last attempt to write what is pending (bounded by the pool's
     * timeouts). Whatever is still pending then is lost, and logged as such.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        activity.shutdown();
        try {
            if (!activity.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Mirror: activity rows still being written at close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
        closing.countDown();
        wakeUp.release();
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!pending.isEmpty()) {
            flushOnce();
        }
        if (!pending.isEmpty()) {
            LOG.warn("Mirror: closing with {} writes that never reached PostgreSQL", pending.size());
        }
    }

    // --- Writing ---

    private OffsetDateTime now() {
        // Microseconds: what PostgreSQL keeps, so a value read back equals the value written.
        return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }

    /** Runs a mirror call so that nothing it does can throw into a reconciler. */
    private void guarded(String call, HasMetadata resource, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            droppedWrites.incrementAndGet();
            String what = resource == null || resource.getMetadata() == null ? ""
                    : " for " + resource.getKind() + " " + resource.getMetadata().getNamespace() + "/"
                            + resource.getMetadata().getName();
            // IllegalArgumentExceptions from the mapping carry safe messages; anything else: its class only.
            String why = e instanceof IllegalArgumentException ? e.getMessage() : Failures.describe(e);
            LOG.error("Mirror: {}{} not recorded: {}", call, what, why);
        }
    }

    private void submit(Write write) {
        if (closed) {
            droppedWrites.incrementAndGet();
            LOG.warn("Mirror: {} arrived after close; not recorded", write.describe());
            return;
        }
        if (outage || !db.isMigrated() || !pending.isEmpty()) {
            // Behind already: keep the order, and do not wait on a database that is not answering.
            enqueue(write);
            return;
        }
        boolean locked = false;
        try {
            locked = lock.readLock().tryLock(DIRECT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            enqueue(write);
            return;
        }
        try {
            if (!db.isMigrated() || !pending.isEmpty()) {
                enqueue(write);
                return;
            }
            try {
                db.dsl().transaction(cfg -> write.apply(cfg.dsl()));
            } catch (RuntimeException e) {
                if (Failures.isTransient(e)) {
                    startOutage(e);
                    enqueue(write);
                } else {
                    drop(write, e);
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    private void enqueue(Write write) {
        if (!pending.add(write)) {
            return; // a log line beyond the cap, counted by PendingWrites
        }
        wakeUp.release();
    }

    private void drop(Write write, RuntimeException e) {
        droppedWrites.incrementAndGet();
        LOG.error("Mirror: PostgreSQL rejected {} ({}); dropped", write.describe(), Failures.describe(e));
    }

    private void startOutage(RuntimeException e) {
        if (!outage) {
            outage = true;
            LOG.warn("Mirror: PostgreSQL at {} is unreachable or too busy to answer within the pool timeout ({}); "
                    + "keeping writes in memory and retrying",
                    db.description(), Failures.describe(e));
        }
    }

    private void endOutageIfCaughtUp() {
        if (outage && pending.isEmpty()) {
            outage = false;
            LOG.info("Mirror: PostgreSQL at {} is back; all pending writes are recorded", db.description());
        }
    }

    private void runWriter() {
        Duration backoff = minBackoff;
        while (!closed) {
            try {
                if (db.isMigrated() && pending.isEmpty()) {
                    wakeUp.tryAcquire(1, TimeUnit.SECONDS);
                    wakeUp.drainPermits();
                    continue;
                }
                if (flushOnce()) {
                    backoff = minBackoff;
                } else {
                    // Wait out the backoff; new writes do not cut it short, only close() does.
                    closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
                    backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("Mirror: background writer failed ({}); continuing", Failures.describe(e));
            }
        }
    }

    /** Writes one batch of pending writes. False when PostgreSQL could not be reached (try again later). */
    private boolean flushOnce() {
        lock.writeLock().lock();
        try {
            try {
                db.migrateIfNeeded();
            } catch (RuntimeException e) {
                if (Failures.isTransient(e)) {
                    startOutage(e);
                } else {
                    LOG.error("Mirror: migrating {} failed ({}); retrying", db.description(), Failures.describe(e));
                }
                return false;
            }
            inFlight = true;
            List<Write> batch = pending.drain(BATCH_SIZE);
            if (batch.isEmpty()) {
                endOutageIfCaughtUp();
                return true;
            }
            try {
                db.dsl().transaction(cfg -> batch.forEach(w -> w.apply(cfg.dsl())));
            } catch (RuntimeException e) {
                if (Failures.isTransient(e)) {
                    pending.restore(batch);
                    startOutage(e);
                    return false;
                }
                // Something in the batch is rejected for good: write one by one, drop only what fails.
                for (int i = 0; i < batch.size(); i++) {
                    Write w = batch.get(i);
                    try {
                        db.dsl().transaction(cfg -> w.apply(cfg.dsl()));
                    } catch (RuntimeException single) {
                        if (Failures.isTransient(single)) {
                            pending.restore(batch.subList(i, batch.size()));
                            startOutage(single);
                            return false;
                        }
                        drop(w, single);
                    }
                }
            }
            endOutageIfCaughtUp();
            return true;
        } finally {
            inFlight = false;
            lock.writeLock().unlock();
        }
    }
}
