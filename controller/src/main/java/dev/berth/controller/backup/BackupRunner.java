package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.backup.store.S3Storage;
import dev.berth.controller.backup.store.ServerDirectory;
import dev.berth.controller.backup.store.StorageException;
import dev.berth.controller.database.DatabaseEngine;
import dev.berth.controller.database.DatabaseLogin;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import dev.berth.controller.host.ServerAccessException;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.status.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs ScheduledBackups' runs off the reconcile threads (a dump may take an hour), one at a time per ScheduledBackup,
 * several ScheduledBackups at once. A run's whole life happens here: the destinations opened, the dump streamed
 * ({@link BackupRun}), retention applied after a success, its mirror row ended, its metrics and Event recorded; then
 * its {@link RunReport} waits in memory for the reconciler, which is woken through {@link #onFinished}. A run the
 * status says is going but this operator does not know (its operator died) is closed by a recovery that removes what
 * it left: its dump processes in the container, its open multipart upload, its {@code .partial} file.
 */
public final class BackupRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupRunner.class);
    /** How long shutting down waits for cancelled runs to end their dumps and abort their copies. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(30);

    private final ReconcilerServices services;
    private final ExecutorService pool;
    private final Map<String, Going> going = new ConcurrentHashMap<>();
    private final Map<String, RunReport> finished = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
    private volatile Consumer<ResourceID> onFinished = id -> { };

    /** What one run needs; read from the API by the reconciler when it started the run. */
    public record Request(ScheduledBackup backup, StandaloneDatabase database, Server server, DatabaseLogin login,
                          KubernetesClient client, UUID id, String trigger, Instant slot, Instant start,
                          Duration timeout) {
    }

    private record Going(UUID id, Future<?> future) {
    }

    public BackupRunner(ReconcilerServices services, int parallelRuns) {
        this.services = services;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(parallelRuns, r -> {
            Thread t = new Thread(r, "berth-backup-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Called with the ScheduledBackup's id when one of its runs has ended (its report is then {@link #finished}). */
    public void onFinished(Consumer<ResourceID> listener) {
        this.onFinished = listener;
    }

    /** The id of the run going for ScheduledBackup {@code uid}, if one is. */
    public Optional<UUID> going(String uid) {
        return Optional.ofNullable(going.get(uid)).map(Going::id);
    }

    /** The last run of {@code uid} that ended in this operator, until the next starts. */
    public Optional<RunReport> finished(String uid) {
        return Optional.ofNullable(finished.get(uid));
    }

    /** Starts a run; returns at once. The caller checked that none is going for this ScheduledBackup. */
    public void start(Request request) {
        submit(request, () -> run(request));
    }

    /**
     * Closes run {@code request.id()} that an earlier operator left going: ends its dump, removes its partial copies,
     * ends its mirror row, and returns its report, failed ({@link BackupReasons#INTERRUPTED}). On the calling thread
     * (it takes seconds): the slots its operator missed are decided after it, as missed, not as skipped.
     */
    public RunReport recover(Request request) {
        RunReport report = recoverInterrupted(request);
        recordFailedAtStart(request.backup(), report); // its row too, should the dying operator's insert be lost
        return report;
    }

    private void submit(Request request, java.util.function.Supplier<RunReport> work) {
        String uid = request.backup().getMetadata().getUid();
        ResourceID resource = ResourceID.fromResource(request.backup());
        finished.remove(uid);
        // The task exists before it runs, so that it is "going" before it can end.
        FutureTask<Void> run = new FutureTask<>(() -> {
            RunReport report;
            try {
                report = work.get();
            } catch (RuntimeException e) {
                LOG.warn("backup run {} of {}: {}", request.id(), ref(request), e.toString());
                report = RunReport.failedAtStart(request.id(), request.trigger(), request.slot(), request.start(),
                        services.clock().instant(), BackupReasons.RUN_FAILED,
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
            finish(request.backup(), report);
            finished.put(uid, report);
            going.remove(uid);
            onFinished.accept(resource);
        }, null);
        going.put(uid, new Going(request.id(), run));
        pool.execute(run);
    }

    private RunReport run(Request request) {
        ScheduledBackup backup = request.backup();
        StandaloneDatabase db = request.database();
        DatabaseEngine engine = DatabaseEngine.of(db.getSpec().getEngine());
        DumpCommand dump = DumpCommand.of(engine, request.login(), Boolean.TRUE.equals(backup.getSpec().getAll()));
        BackupName name = new BackupName(request.start(), request.id(), dump.extension());
        try (BackupDestinations destinations = BackupDestinations.open(backup, request.client(),
                services.serverAccess().connection(request.server()))) {
            DockerHost docker = services.serverAccess().dockerHost(request.server());
            Map<String, String> metadata = Map.of("berth-run-id", request.id().toString(),
                    "berth-engine", engine.name().toLowerCase(), "berth-database",
                    db.getMetadata().getNamespace() + "/" + db.getMetadata().getName());
            BackupRunResult result = new BackupRun(docker, services.clock()).run(db.getStatus().getContainerId(),
                    dump, name, destinations.targets(name, metadata, request.timeout()), request.timeout());
            RunReport report = RunReport.of(result, request.trigger(), request.slot(), request.start(), null);
            if (report.succeeded() && Boolean.TRUE.equals(backup.getSpec().getVerify())) {
                report = verify(request, destinations, docker, name, result, report);
            }
            if (report.succeeded()) {
                // Never after a failed run: a failure keeps every older copy.
                report = applyRetention(request, destinations, report);
            }
            return report;
        } catch (BackupDestinations.Unusable e) {
            return failedAtStart(request, e.reason(), e.getMessage());
        } catch (ServerAccessException e) {
            return failedAtStart(request, BackupReasons.SERVER_UNAVAILABLE, e.getMessage());
        }
    }

    /**
     * {@code verify: true}: the new copy restored into a throwaway container from the same image and counted. A copy
     * that does not restore makes the run failed ({@link BackupReasons#VERIFY_FAILED}); the copies are kept (a
     * verification can also fail for a reason of the host's, e.g. too little memory for a second engine), and the
     * message says so.
     */
    private RunReport verify(Request request, BackupDestinations destinations, DockerHost docker, BackupName name,
                             BackupRunResult result, RunReport report) {
        BackupVerification.StoredCopy copy = destinations.host().isPresent()
                ? () -> destinations.host().get().read(name.fileName(), request.timeout())
                : () -> destinations.s3().get().read(destinations.s3Directory() + name.fileName());
        BackupVerification.Result verified = new BackupVerification(docker, request.timeout()).verify(
                request.database(), request.login(), name.extension(), copy,
                new BackupDigest(result.sha256(), result.sizeBytes()));
        if (verified.succeeded()) {
            return report.withVerified(verified.counts().orElseThrow());
        }
        return report.failedBy(BackupReasons.VERIFY_FAILED, "the dump was stored but did not restore in a "
                + "throwaway container: " + verified.failure().orElse("no reason given")
                + " (its copies are kept; they may not be restorable)");
    }

    private RunReport failedAtStart(Request request, String reason, String message) {
        return RunReport.failedAtStart(request.id(), request.trigger(), request.slot(), request.start(),
                services.clock().instant(), reason, message);
    }

    /**
     * Retention per destination, from its listing; the run itself is never deleted (it is the newest). A deletion that
     * fails is noted on the run (it succeeded: its copy is complete) and tried again after the next run.
     */
    private RunReport applyRetention(Request request, BackupDestinations destinations, RunReport report) {
        RetentionRules rules = RetentionRules.from(request.backup().getSpec().getRetention());
        if (rules.equals(RetentionRules.NONE)) {
            return report;
        }
        Instant now = services.clock().instant();
        List<String> problems = new ArrayList<>();
        if (destinations.s3().isPresent()) {
            S3Storage s3 = destinations.s3().get();
            String dir = destinations.s3Directory();
            try {
                RetentionPlan plan = RetentionPlanner.plan(s3.list(dir), rules, now, Set.of(report.id()));
                for (RetentionPlan.Deletion d : plan.delete()) {
                    s3.delete(dir + d.backup().name());
                    recordDeletion(request, d, s3.location(dir + d.backup().name()));
                }
            } catch (StorageException e) {
                problems.add(e.getMessage());
            }
        }
        if (destinations.host().isPresent()) {
            ServerDirectory host = destinations.host().get();
            try {
                RetentionPlan plan = RetentionPlanner.plan(host.list(), rules, now, Set.of(report.id()));
                for (RetentionPlan.Deletion d : plan.delete()) {
                    host.delete(d.backup().name());
                    recordDeletion(request, d, host.location(d.backup().name()));
                }
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        if (problems.isEmpty()) {
            return report;
        }
        String note = "retention could not finish (tried again after the next run): " + String.join("; ", problems);
        services.events().record(request.backup(), EventRecorder.WARNING, "RetentionFailed", note);
        return report.withNote(note);
    }

    private void recordDeletion(Request request, RetentionPlan.Deletion d, String where) {
        String why = switch (d.reason()) {
            case KEEP_LAST -> "keepLast";
            case MAX_AGE -> "maxAge";
            case MAX_TOTAL_SIZE -> "maxTotalSize";
        };
        LOG.info("ScheduledBackup {}: retention ({}) deleted {}", ref(request), why, where);
        services.mirror().backupCopyDeleted(d.name().runId(), where, "deleted by retention (" + why + ")");
        services.meters().counter("berth.backup.retention.deletions", "reason", why).increment();
    }

    private RunReport recoverInterrupted(Request request) {
        StandaloneDatabase db = request.database();
        DatabaseEngine engine = DatabaseEngine.of(db.getSpec().getEngine());
        DumpCommand dump = DumpCommand.of(engine, request.login(),
                Boolean.TRUE.equals(request.backup().getSpec().getAll()));
        BackupName name = new BackupName(request.start(), request.id(), dump.extension());
        List<String> left = new ArrayList<>();
        try (BackupDestinations destinations = BackupDestinations.open(request.backup(), request.client(),
                services.serverAccess().connection(request.server()))) {
            if (db.getStatus() != null && db.getStatus().getContainerId() != null) {
                DockerHost docker = services.serverAccess().dockerHost(request.server());
                try {
                    BackupProcesses.end(docker, db.getStatus().getContainerId(), request.id()).ifPresent(left::add);
                } catch (DockerHostException e) {
                    left.add(e.getMessage());
                }
            }
            if (destinations.s3().isPresent()) {
                try {
                    destinations.s3().get().removeUnconfirmed(destinations.s3Directory() + name.fileName());
                } catch (StorageException e) {
                    left.add(e.getMessage());
                }
            }
            if (destinations.host().isPresent()) {
                try {
                    destinations.host().get().removePartial(name.fileName());
                } catch (IOException e) {
                    left.add(e.getMessage());
                }
            }
        } catch (BackupDestinations.Unusable | ServerAccessException e) {
            left.add(e.getMessage());
        }
        String message = "the operator stopped during this run; "
                + (left.isEmpty() ? "its dump was ended and its partial copies removed"
                : "cleaning up after it was incomplete: " + String.join("; ", left));
        return failedAtStart(request, BackupReasons.INTERRUPTED, message);
    }

    /**
     * A run that failed before it could start (the database not Ready, its Server or login unusable): its mirror row,
     * metrics and Event, as for any run. Its report goes into status directly.
     */
    public void recordFailedAtStart(ScheduledBackup backup, RunReport report) {
        services.mirror().backupStarted(backup, report.id(), report.trigger(), report.slot(), report.start());
        finish(backup, report);
    }

    /** The mirror row's end, metrics and the Event: once per run, whatever happened. */
    private void finish(ScheduledBackup backup, RunReport report) {
        services.mirror().backupFinished(report.id(), report.mirrorEnd());
        String result = report.result().value();
        services.meters().counter("berth.backup.runs", "namespace", backup.getMetadata().getNamespace(),
                "name", backup.getMetadata().getName(), "result", result).increment();
        if (report.end() != null) {
            Timer.builder("berth.backup.duration").tag("result", result).register(services.meters())
                    .record(Duration.between(report.start(), report.end()));
        }
        if (report.sizeBytes() != null && report.succeeded()) {
            services.meters().counter("berth.backup.bytes").increment(report.sizeBytes());
        }
        if (report.succeeded()) {
            noteLastSuccess(backup, report.end());
            services.events().record(backup, EventRecorder.NORMAL, "BackupSucceeded", "Run " + report.id()
                    + " stored " + report.sizeBytes() + " bytes (sha256 " + report.sha256() + ") at "
                    + String.join(", ", report.restorableLocations()));
        } else {
            services.events().record(backup, EventRecorder.WARNING, BackupReasons.BACKUP_FAILED,
                    "Run " + report.id() + " failed (" + report.reason() + "): " + report.message());
        }
        LOG.info("ScheduledBackup {}/{}: run {} {}{}", backup.getMetadata().getNamespace(),
                backup.getMetadata().getName(), report.id(), result,
                report.succeeded() ? "" : " (" + report.reason() + "): " + report.message());
    }

    /** Sets {@code berth_backup_last_success_timestamp_seconds} for {@code backup} (also from status, at start-up). */
    public void noteLastSuccess(ScheduledBackup backup, Instant when) {
        String key = backup.getMetadata().getNamespace() + "/" + backup.getMetadata().getName();
        AtomicLong value = lastSuccess.computeIfAbsent(key, k -> {
            AtomicLong v = new AtomicLong();
            Gauge.builder("berth.backup.last.success.timestamp.seconds", v, AtomicLong::get)
                    .description("When the ScheduledBackup last succeeded (Unix seconds)")
                    .tag("namespace", backup.getMetadata().getNamespace())
                    .tag("name", backup.getMetadata().getName())
                    .register(services.meters());
            return v;
        });
        value.accumulateAndGet(when.getEpochSecond(), Math::max);
    }

    /** The ScheduledBackup is gone: its run (if any) is cancelled, which ends its dump and aborts its copies. */
    public void forget(ScheduledBackup backup) {
        String uid = backup.getMetadata().getUid();
        Going g = going.get(uid);
        if (g != null) {
            g.future().cancel(true);
        }
        finished.remove(uid);
        String key = backup.getMetadata().getNamespace() + "/" + backup.getMetadata().getName();
        if (lastSuccess.remove(key) != null) {
            services.meters().find("berth.backup.last.success.timestamp.seconds")
                    .tags("namespace", backup.getMetadata().getNamespace(), "name", backup.getMetadata().getName())
                    .meters().forEach(services.meters()::remove);
        }
    }

    /** Cancels every run (each ends its dump and aborts its copies) and waits a little for them. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(CLOSE_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("backup runs still ending after {}", CLOSE_GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String ref(Request request) {
        return request.backup().getMetadata().getNamespace() + "/" + request.backup().getMetadata().getName();
    }
}
