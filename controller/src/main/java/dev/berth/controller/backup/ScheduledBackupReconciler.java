package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.api.v1alpha1.ScheduledBackupStatus;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.database.CredentialsResult;
import dev.berth.controller.database.DatabaseCredentials;
import dev.berth.controller.database.DatabaseLogin;
import dev.berth.controller.mirror.BackupStatus;
import dev.berth.controller.reconcile.BerthReconciler;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.reconcile.ReferenceEventSources;
import dev.berth.controller.schedule.CronSchedule;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.status.Reasons;
import dev.berth.controller.validation.Durations;
import dev.berth.controller.validation.ScheduledBackupSpecValidator;
import dev.berth.controller.validation.SpecViolations;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * ScheduledBackups: validated (cron, time zone, destination), their database reference resolved (re-reconciled when
 * that StandaloneDatabase appears), then run on their schedule. Each look asks {@link SchedulePlanner} what is due
 * (pure: runs, skipped and missed slots, the next slot) and is rescheduled for the next slot, so nothing sleeps. A run
 * goes to the {@link BackupRunner}, off the reconcile thread; when it ends the runner wakes this reconciler and its
 * {@link RunReport} becomes status.lastRun. Ready is False with {@code BackupFailed} while the last completed run
 * failed. Suspend is handled here (not by the kernel): passing slots are consumed, so resuming does not turn them
 * into missed ones.
 */
@ControllerConfiguration(name = ScheduledBackupReconciler.NAME, finalizerName = Berth.FINALIZER,
        generationAwareEventProcessing = true)
@GradualRetry(maxAttempts = 10, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
@RateLimited(maxReconciliations = 5, within = 1, unit = TimeUnit.SECONDS)
public class ScheduledBackupReconciler extends BerthReconciler<ScheduledBackup, ScheduledBackupStatus> {
    public static final String NAME = "scheduledbackup";
    /** Runs of different ScheduledBackups at once (each streams; memory is bounded per run). */
    static final int PARALLEL_RUNS = 4;
    /** A look while a run is going, in case its end's wake-up is lost. */
    static final Duration WHILE_RUNNING = Duration.ofMinutes(5);
    /** The longest the next look is put off (a clock that jumps, a far slot). */
    static final Duration LONGEST_WAIT = Duration.ofHours(1);

    private final BackupRunner runner;

    public ScheduledBackupReconciler(ReconcilerServices services) {
        super("ScheduledBackup", ScheduledBackupStatus.class, services);
        this.runner = new BackupRunner(services, PARALLEL_RUNS);
    }

    /** The runs; closed by the operator after it stopped reconciling. */
    public BackupRunner runner() {
        return runner;
    }

    @Override
    public List<EventSource<?, ScheduledBackup>> prepareEventSources(EventSourceContext<ScheduledBackup> context) {
        SimpleInboundEventSource<ScheduledBackup> runEnded = new SimpleInboundEventSource<>("backup-run-ended");
        runner.onFinished(runEnded::propagateEvent);
        return List.of(ReferenceEventSources.byName(StandaloneDatabase.class, context,
                backup -> backup.getSpec() == null || backup.getSpec().getDatabaseRef() == null ? null
                        : backup.getSpec().getDatabaseRef().getName()), runEnded);
    }

    @Override
    protected SpecViolations validate(ScheduledBackup resource) {
        return ScheduledBackupSpecValidator.validate(resource.getSpec());
    }

    @Override
    protected Optional<Outcome> checkReferences(ScheduledBackup resource, Context<ScheduledBackup> context) {
        String database = resource.getSpec().getDatabaseRef().getName();
        return context.getSecondaryResource(StandaloneDatabase.class).isPresent() ? Optional.empty()
                : Optional.of(Outcome.missingReference(Reasons.DATABASE_NOT_FOUND, "StandaloneDatabase", database, "spec.databaseRef.name",
                        resource.getMetadata().getNamespace()));
    }

    /** Suspend is part of scheduling here: its slots are consumed, not missed. */
    @Override
    protected boolean suspended(ScheduledBackup resource) {
        return false;
    }

    @Override
    protected Outcome converge(ScheduledBackup backup, Context<ScheduledBackup> context, ScheduledBackupStatus status) {
        String uid = backup.getMetadata().getUid();
        ScheduledBackupSpec spec = backup.getSpec();
        boolean suspend = Boolean.TRUE.equals(spec.getSuspend());
        StandaloneDatabase db = context.getSecondaryResource(StandaloneDatabase.class).orElseThrow();
        Instant now = services.clock().instant();

        // A run that ended in this operator: its report becomes status (it stays until the next run starts).
        runner.finished(uid).filter(r -> status.getLastRun() == null || r.id().toString().equals(status.getLastRun().getId()))
                .ifPresent(r -> applyReport(status, r));
        Optional<UUID> going = runner.going(uid);
        ScheduledBackupStatus.LastRun last = status.getLastRun();
        if (going.isEmpty() && last != null && BackupStatus.RUNNING.value().equals(last.getResult())) {
            // Status says a run is going that nothing here runs: the operator that ran it stopped mid-run.
            UUID id = UUID.fromString(last.getId());
            Instant started = Instant.parse(last.getStartTime());
            RunStart start = request(backup, db, context, id, last.getTrigger(), started, started);
            if (start.request() != null) {
                applyReport(status, runner.recover(start.request()));
            } else {
                RunReport closed = RunReport.failedAtStart(id, last.getTrigger(), started, started, now,
                        BackupReasons.INTERRUPTED, "the operator stopped during this run, and what it left could not be "
                                + "removed: " + start.failure().message());
                runner.recordFailedAtStart(backup, closed);
                applyReport(status, closed);
            }
        }

        CronSchedule schedule = CronSchedule.parse(spec.getSchedule(), spec.getTimeZone());
        Instant lastScheduled = status.getLastScheduleTime() == null ? null : Instant.parse(status.getLastScheduleTime());
        ScheduleDecision decision = SchedulePlanner.decide(schedule, suspend, Boolean.TRUE.equals(spec.getImmediate()),
                Instant.parse(backup.getMetadata().getCreationTimestamp()), lastScheduled, going.isPresent(), now,
                services.config().backupOnTime());
        recordSlotsNotRun(backup, decision, going);
        decision.lastScheduleTime().ifPresent(t -> status.setLastScheduleTime(t.toString()));
        status.setNextScheduleTime(suspend ? null : decision.nextSlot().map(Instant::toString).orElse(null));

        if (decision.run().isPresent()) {
            ScheduleDecision.Run run = decision.run().get();
            UUID id = UUID.randomUUID();
            String trigger = trigger(run.trigger());
            Optional<String> notReady = notReady(db);
            RunStart start = notReady.isPresent() ? null : request(backup, db, context, id, trigger, run.slot(), now);
            if (start != null && start.request() != null) {
                services.mirror().backupStarted(backup, id, trigger, run.slot(), now);
                runner.start(start.request());
                going = Optional.of(id);
                status.setLastRun(RunReport.running(id, trigger, run.slot(), now).lastRun());
            } else {
                RunReport failed = notReady.isPresent()
                        ? RunReport.failedAtStart(id, trigger, run.slot(), now, now, BackupReasons.DATABASE_NOT_READY,
                                notReady.get())
                        : start.failure().withId(id);
                runner.recordFailedAtStart(backup, failed);
                applyReport(status, failed);
            }
        }
        if (status.getLastSuccessfulTime() != null) {
            runner.noteLastSuccess(backup, Instant.parse(status.getLastSuccessfulTime()));
        }
        return outcome(backup, status, going, suspend, decision);
    }

    private static void applyReport(ScheduledBackupStatus status, RunReport report) {
        status.setLastRun(report.lastRun());
        if (report.succeeded()) {
            status.setLastSuccessfulTime(report.end().toString());
        }
    }

    private Outcome outcome(ScheduledBackup backup, ScheduledBackupStatus status, Optional<UUID> going,
                            boolean suspend, ScheduleDecision decision) {
        String next = status.getNextScheduleTime() == null ? "no next run"
                : "next run at " + status.getNextScheduleTime();
        Optional<Duration> recheck = decision.recheckAfter().map(d -> d.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : d);
        if (going.isPresent()) {
            recheck = Optional.of(recheck.filter(d -> d.compareTo(WHILE_RUNNING) < 0).orElse(WHILE_RUNNING));
        }
        ScheduledBackupStatus.LastRun last = status.getLastRun();
        Outcome outcome;
        if (suspend) {
            outcome = Outcome.notReady(Berth.REASON_SUSPENDED, "spec.suspend is true: no run starts, and the slots "
                    + "passing meanwhile are not recorded as missed", "Suspended", false);
        } else if (going.isPresent()) {
            // Ready keeps saying how the last completed run went.
            Optional<Condition> before = backup.getStatus() == null ? Optional.empty()
                    : backup.getStatus().condition(Berth.CONDITION_READY);
            boolean failedBefore = before.map(c -> BackupReasons.BACKUP_FAILED.equals(c.getReason())).orElse(false);
            outcome = failedBefore
                    ? Outcome.notReady(BackupReasons.BACKUP_FAILED, before.get().getMessage(), "Running", true)
                    : new Outcome(true, "Ready", "Run " + going.get() + " is going; " + next, "Running", false,
                            List.of(), Optional.empty());
        } else if (last != null && BackupStatus.FAILED.value().equals(last.getResult())) {
            outcome = Outcome.notReady(BackupReasons.BACKUP_FAILED, "Run " + last.getId() + " (" + last.getTrigger()
                    + ", started " + last.getStartTime() + ") failed (" + last.getReason() + "): " + last.getMessage()
                    + "; " + next, "Failed", true);
        } else if (last != null) {
            outcome = Outcome.ready("Run " + last.getId() + " succeeded at " + last.getCompletionTime() + "; " + next);
        } else {
            outcome = Outcome.ready("No run yet; " + next);
        }
        return outcome.withRecheckIfAny(recheck);
    }

    /** Skipped and missed slots: a mirror row each (its id derived from the slot, so a second look adds none). */
    private void recordSlotsNotRun(ScheduledBackup backup, ScheduleDecision decision, Optional<UUID> going) {
        String uid = backup.getMetadata().getUid();
        for (Instant slot : decision.skipped()) {
            String why = "run " + going.map(UUID::toString).orElse("?") + " was still going at " + slot
                    + " (one run at a time)";
            services.mirror().backupSlotNotRun(backup, slotId(uid, slot), BackupStatus.SKIPPED, slot, why);
            services.meters().counter("berth.backup.runs", "namespace", backup.getMetadata().getNamespace(),
                    "name", backup.getMetadata().getName(), "result", BackupStatus.SKIPPED.value()).increment();
            services.events().record(backup, EventRecorder.WARNING, "BackupSkipped", "The run due at " + slot
                    + " was skipped: " + why);
        }
        if (!decision.missed().isEmpty()) {
            for (Instant slot : decision.missed()) {
                services.mirror().backupSlotNotRun(backup, slotId(uid, slot), BackupStatus.MISSED, slot,
                        "no operator ran it at that time (down or without leadership); one catch-up run covers it");
            }
            services.meters().counter("berth.backup.runs", "namespace", backup.getMetadata().getNamespace(),
                    "name", backup.getMetadata().getName(), "result", BackupStatus.MISSED.value())
                    .increment(decision.missed().size());
            List<Instant> missed = decision.missed();
            services.events().record(backup, EventRecorder.WARNING, "BackupsMissed", missed.size()
                    + (decision.missedTruncated() ? "+" : "") + " run(s) due between " + missed.get(0) + " and "
                    + missed.get(missed.size() - 1) + " did not run (no operator at the time)"
                    + (decision.run().isPresent() ? "; one catch-up run starts now" : ""));
        }
    }

    static UUID slotId(String uid, Instant slot) {
        return UUID.nameUUIDFromBytes((uid + "@" + slot).getBytes(StandardCharsets.UTF_8));
    }

    private static String trigger(ScheduleDecision.Trigger trigger) {
        return switch (trigger) {
            case SCHEDULED -> "scheduled";
            case IMMEDIATE -> "immediate";
            case CATCH_UP -> "catch-up";
        };
    }

    /** Why {@code db} cannot be dumped now, if it cannot. */
    static Optional<String> notReady(StandaloneDatabase db) {
        String name = "StandaloneDatabase " + db.getMetadata().getName();
        if (db.getStatus() == null) {
            return Optional.of(name + " has no status yet: nothing was dumped");
        }
        Optional<Condition> ready = db.getStatus().condition(Berth.CONDITION_READY);
        if (ready.isEmpty() || !Condition.TRUE.equals(ready.get().getStatus())
                || db.getStatus().getContainerId() == null) {
            return Optional.of(name + " is not Ready" + ready.map(c -> " (" + c.getReason() + ": " + c.getMessage()
                    + ")").orElse("") + ": nothing was dumped");
        }
        return Optional.empty();
    }

    /** A run's request, or why it cannot start (a report with a placeholder id). */
    private record RunStart(BackupRunner.Request request, RunReport failure) {
    }

    private RunStart request(ScheduledBackup backup, StandaloneDatabase db, Context<ScheduledBackup> context, UUID id,
                             String trigger, Instant slot, Instant start) {
        KubernetesClient client = context.getClient();
        String serverName = db.getSpec().getServerRef().getName();
        Server server = client.resources(Server.class).inNamespace(db.getMetadata().getNamespace()).withName(serverName)
                .get();
        if (server == null) {
            return new RunStart(null, RunReport.failedAtStart(id, trigger, slot, start, services.clock().instant(),
                    BackupReasons.SERVER_UNAVAILABLE, "Server " + serverName + " of StandaloneDatabase "
                            + db.getMetadata().getName() + " does not exist"));
        }
        CredentialsResult credentials = new DatabaseCredentials(client).resolve(db);
        if (credentials instanceof CredentialsResult.Unusable unusable) {
            return new RunStart(null, RunReport.failedAtStart(id, trigger, slot, start, services.clock().instant(),
                    unusable.outcome().reason(), unusable.outcome().message()));
        }
        DatabaseLogin login = ((CredentialsResult.Resolved) credentials).login();
        List<String> databases = backup.getSpec().getDatabases();
        if (databases != null && databases.size() == 1) {
            // The one database the spec names instead of the database's own (the validator allows one).
            login = new DatabaseLogin(login.username(), login.password(), databases.get(0));
        }
        Duration timeout = Durations.parse(backup.getSpec().getTimeout()).orElse(Duration.ofHours(1));
        return new RunStart(new BackupRunner.Request(backup, db, server, login, client, id, trigger, slot, start,
                timeout), null);
    }

    @Override
    public DeleteControl cleanup(ScheduledBackup backup, Context<ScheduledBackup> context) {
        runner.forget(backup);
        return super.cleanup(backup, context);
    }
}
