package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.ScheduledBackupStatus;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.reconcile.BerthReconciler;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.reconcile.ReferenceEventSources;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.status.Reasons;
import dev.berth.controller.validation.ScheduledBackupSpecValidator;
import dev.berth.controller.validation.SpecViolations;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * ScheduledBackups: validated (cron, time zone, destination), their database reference resolved (re-reconciled
 * when that StandaloneDatabase appears), mirrored, status written. Running backups comes in its own issue; until
 * then Ready stays False with ConvergenceNotImplemented and no next run time is claimed.
 */
@ControllerConfiguration(name = ScheduledBackupReconciler.NAME, finalizerName = Berth.FINALIZER,
        generationAwareEventProcessing = true)
@GradualRetry(maxAttempts = 10, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
@RateLimited(maxReconciliations = 5, within = 1, unit = TimeUnit.SECONDS)
public class ScheduledBackupReconciler extends BerthReconciler<ScheduledBackup, ScheduledBackupStatus> {
    public static final String NAME = "scheduledbackup";

    public ScheduledBackupReconciler(ReconcilerServices services) {
        super("ScheduledBackup", ScheduledBackupStatus.class, services);
    }

    @Override
    public List<EventSource<?, ScheduledBackup>> prepareEventSources(EventSourceContext<ScheduledBackup> context) {
        return List.of(ReferenceEventSources.byName(StandaloneDatabase.class, context,
                backup -> backup.getSpec() == null || backup.getSpec().getDatabaseRef() == null ? null
                        : backup.getSpec().getDatabaseRef().getName()));
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

    @Override
    protected boolean suspended(ScheduledBackup resource) {
        return Boolean.TRUE.equals(resource.getSpec().getSuspend());
    }
}
