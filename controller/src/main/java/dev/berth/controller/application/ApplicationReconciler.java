package dev.berth.controller.application;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationStatus;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Server;
import dev.berth.controller.BerthReconciler;
import dev.berth.controller.ReconcilerServices;
import dev.berth.controller.ReferenceEventSources;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.status.Reasons;
import dev.berth.controller.status.SpecViolations;
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
 * Applications: validated, their Server reference resolved (re-reconciled when that Server appears or changes),
 * mirrored, status written. Deploying containers (observe → desired state → plan → apply, issue 4) plugs into
 * {@link #converge}; until then Ready stays False with ConvergenceNotImplemented.
 */
@ControllerConfiguration(name = ApplicationReconciler.NAME, finalizerName = Berth.FINALIZER,
        generationAwareEventProcessing = true)
@GradualRetry(maxAttempts = 10, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
@RateLimited(maxReconciliations = 5, within = 1, unit = TimeUnit.SECONDS)
public class ApplicationReconciler extends BerthReconciler<Application, ApplicationStatus> {
    public static final String NAME = "application";

    public ApplicationReconciler(ReconcilerServices services) {
        super("Application", ApplicationStatus.class, services);
    }

    @Override
    public List<EventSource<?, Application>> prepareEventSources(EventSourceContext<Application> context) {
        return List.of(ReferenceEventSources.byName(Server.class, context,
                app -> app.getSpec() == null || app.getSpec().getServerRef() == null ? null
                        : app.getSpec().getServerRef().getName()));
    }

    @Override
    protected SpecViolations validate(Application resource) {
        return ApplicationSpecValidator.validate(resource.getSpec());
    }

    @Override
    protected Optional<Outcome> checkReferences(Application resource, Context<Application> context) {
        String server = resource.getSpec().getServerRef().getName();
        return context.getSecondaryResource(Server.class).isPresent() ? Optional.empty()
                : Optional.of(Outcome.notReady(Reasons.SERVER_NOT_FOUND, "Server " + server
                        + " (spec.serverRef.name) does not exist in namespace " + resource.getMetadata().getNamespace()
                        + "; Berth reconciles again when it is created", "Waiting", true));
    }

    @Override
    protected boolean suspended(Application resource) {
        return Boolean.TRUE.equals(resource.getSpec().getSuspend());
    }
}
