package dev.berth.controller.server;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.controller.BerthReconciler;
import dev.berth.controller.ReconcilerServices;
import dev.berth.controller.status.SpecViolations;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.util.concurrent.TimeUnit;

/**
 * Servers: validated, mirrored, status written. Reaching the host over SSH and checking Docker (observe → plan →
 * apply, issue 3) plugs into {@link #converge}; until then Ready stays False with ConvergenceNotImplemented.
 */
@ControllerConfiguration(name = ServerReconciler.NAME, finalizerName = Berth.FINALIZER,
        generationAwareEventProcessing = true)
@GradualRetry(maxAttempts = 10, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
@RateLimited(maxReconciliations = 5, within = 1, unit = TimeUnit.SECONDS)
public class ServerReconciler extends BerthReconciler<Server, ServerStatus> {
    public static final String NAME = "server";

    public ServerReconciler(ReconcilerServices services) {
        super("Server", ServerStatus.class, services);
    }

    @Override
    protected SpecViolations validate(Server resource) {
        return ServerSpecValidator.validate(resource.getSpec());
    }

    @Override
    protected boolean suspended(Server resource) {
        return Boolean.TRUE.equals(resource.getSpec().getSuspend());
    }
}
