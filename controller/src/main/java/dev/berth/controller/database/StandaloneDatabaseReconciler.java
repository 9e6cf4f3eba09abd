package dev.berth.controller.database;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseStatus;
import dev.berth.controller.reconcile.BerthReconciler;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.reconcile.ReferenceEventSources;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.status.Reasons;
import dev.berth.controller.validation.SpecViolations;
import dev.berth.controller.validation.StandaloneDatabaseSpecValidator;
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
 * StandaloneDatabases: validated, their Server reference resolved (re-reconciled when that Server appears),
 * mirrored, status written. Running the engine's container comes in its own issue; until then Ready stays False
 * with ConvergenceNotImplemented.
 */
@ControllerConfiguration(name = StandaloneDatabaseReconciler.NAME, finalizerName = Berth.FINALIZER,
        generationAwareEventProcessing = true)
@GradualRetry(maxAttempts = 10, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
@RateLimited(maxReconciliations = 5, within = 1, unit = TimeUnit.SECONDS)
public class StandaloneDatabaseReconciler extends BerthReconciler<StandaloneDatabase, StandaloneDatabaseStatus> {
    public static final String NAME = "standalonedatabase";

    public StandaloneDatabaseReconciler(ReconcilerServices services) {
        super("StandaloneDatabase", StandaloneDatabaseStatus.class, services);
    }

    @Override
    public List<EventSource<?, StandaloneDatabase>> prepareEventSources(EventSourceContext<StandaloneDatabase> context) {
        return List.of(ReferenceEventSources.byName(Server.class, context,
                db -> db.getSpec() == null || db.getSpec().getServerRef() == null ? null
                        : db.getSpec().getServerRef().getName()));
    }

    @Override
    protected SpecViolations validate(StandaloneDatabase resource) {
        return StandaloneDatabaseSpecValidator.validate(resource.getSpec());
    }

    @Override
    protected Optional<Outcome> checkReferences(StandaloneDatabase resource, Context<StandaloneDatabase> context) {
        String server = resource.getSpec().getServerRef().getName();
        return context.getSecondaryResource(Server.class).isPresent() ? Optional.empty()
                : Optional.of(Outcome.missingReference(Reasons.SERVER_NOT_FOUND, "Server", server, "spec.serverRef.name",
                        resource.getMetadata().getNamespace()));
    }

    @Override
    protected boolean suspended(StandaloneDatabase resource) {
        return Boolean.TRUE.equals(resource.getSpec().getSuspend());
    }
}
