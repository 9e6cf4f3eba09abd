package dev.berth.controller.application;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationStatus;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Server;
import dev.berth.controller.docker.DockerHostException;
import dev.berth.controller.host.ServerAccessException;
import dev.berth.controller.reconcile.BerthReconciler;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.reconcile.ReferenceEventSources;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.status.Reasons;
import dev.berth.controller.validation.ApplicationSpecValidator;
import dev.berth.controller.validation.SpecViolations;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Applications: validated, their Server reference resolved (re-reconciled when that Server appears or changes, and
 * when a Secret or ConfigMap they read changes), then converged onto the Server's host by
 * {@link ApplicationDeployer} (observe → {@link DesiredContainers} → {@link RolloutPlanner} → apply), mirrored,
 * status written when it changed. Suspend is handled in converge (containers are stopped and kept), and deletion
 * removes the containers before the mirror row is soft-deleted.
 */
@ControllerConfiguration(name = ApplicationReconciler.NAME, finalizerName = Berth.FINALIZER,
        generationAwareEventProcessing = true)
@GradualRetry(maxAttempts = 10, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
@RateLimited(maxReconciliations = 5, within = 1, unit = TimeUnit.SECONDS)
public class ApplicationReconciler extends BerthReconciler<Application, ApplicationStatus> {
    public static final String NAME = "application";
    static final Duration CLEANUP_RETRY = Duration.ofSeconds(30);

    private final ApplicationDeployer deployer;
    private final AtomicBoolean stuckDeploymentsClosed = new AtomicBoolean();

    public ApplicationReconciler(ReconcilerServices services) {
        super("Application", ApplicationStatus.class, services);
        this.deployer = new ApplicationDeployer(services,
                new DeploymentHistory(services.mirror(), services.redis(), services.clock()));
    }

    @Override
    public List<EventSource<?, Application>> prepareEventSources(EventSourceContext<Application> context) {
        List<EventSource<?, Application>> sources = new ArrayList<>();
        sources.add(ReferenceEventSources.byName(Server.class, context,
                app -> app.getSpec() == null || app.getSpec().getServerRef() == null ? null
                        : app.getSpec().getServerRef().getName()));
        sources.addAll(ConfigSources.eventSources(context));
        return sources;
    }

    @Override
    protected SpecViolations validate(Application resource) {
        return ApplicationSpecValidator.validate(resource.getSpec());
    }

    @Override
    protected Optional<Outcome> checkReferences(Application resource, Context<Application> context) {
        String server = resource.getSpec().getServerRef().getName();
        return context.getSecondaryResource(Server.class).isPresent() ? Optional.empty()
                : Optional.of(Outcome.missingReference(Reasons.SERVER_NOT_FOUND, "Server", server, "spec.serverRef.name",
                        resource.getMetadata().getNamespace()));
    }

    /** Suspend is part of converging here: the containers are stopped (and kept), which takes the host. */
    @Override
    protected boolean suspended(Application resource) {
        return false;
    }

    @Override
    protected Outcome converge(Application app, Context<Application> context, ApplicationStatus status) {
        closeStuckDeploymentsOnce();
        Server server = context.getSecondaryResource(Server.class).orElseThrow();
        var secrets = ConfigSources.secrets(context);
        EnvResolution env = EnvResolution.resolve(app.getSpec(), secrets, ConfigSources.configMaps(context));
        boolean suspended = Boolean.TRUE.equals(app.getSpec().getSuspend());
        if (!env.complete() && !suspended) {
            return ApplicationDeployer.notReady(ApplicationReasons.ENV_NOT_RESOLVED, "cannot resolve the environment: "
                    + String.join(", ", env.missing()) + " not found in namespace " + app.getMetadata().getNamespace()
                    + "; Berth deploys when it appears (running containers are left as they are)", "Waiting", null, true);
        }
        return deployer.converge(new ApplicationDeployer.Inputs(app, server, env, secrets), status);
    }

    @Override
    public DeleteControl cleanup(Application app, Context<Application> context) {
        Optional<Server> server = context.getSecondaryResource(Server.class);
        ApplicationStatus status = app.getStatus();
        boolean neverDeployed = status == null || (status.getLastDeployment() == null
                && (status.getContainers() == null || status.getContainers().isEmpty()));
        if (neverDeployed) {
            // Nothing was ever created for it (no deployment started): no need to reach a host that may never work.
            log.info("Application {}: never deployed, no containers to remove", ref(app));
        } else if (server.isEmpty()) {
            String msg = "Server " + app.getSpec().getServerRef().getName() + " no longer exists: the containers of "
                    + "this Application on its host (labels " + Berth.LABEL_APP + "=" + app.getMetadata().getUid()
                    + ") could not be removed";
            log.warn("Application {}: {}", ref(app), msg);
            services.events().record(app, EventRecorder.WARNING, ApplicationReasons.CONTAINERS_LEFT_BEHIND, msg);
        } else {
            try {
                Optional<java.time.Duration> draining = deployer.remove(app, server.get());
                if (draining.isPresent()) {
                    // Its containers are out of DNS and finish what they have; they stop and go on a later look.
                    return DeleteControl.noFinalizerRemoval().rescheduleAfter(draining.get());
                }
                log.info("Application {}: containers removed from Server {}", ref(app), server.get().getMetadata().getName());
            } catch (ServerAccessException | DockerHostException e) {
                // The host is needed to remove the containers: keep the finalizer and try again, without waiting here.
                log.warn("Application {}: cannot remove its containers yet ({}); retrying in {}s", ref(app),
                        e.getMessage(), CLEANUP_RETRY.toSeconds());
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(CLEANUP_RETRY);
            }
        }
        deployer.forget(app);
        return super.cleanup(app, context);
    }

    /**
     * Deployments left queued or in progress by an operator that died are closed as failed, once, before this
     * process starts any (a rollout it finds half-done is resumed under a new deployment row).
     */
    private void closeStuckDeploymentsOnce() {
        if (stuckDeploymentsClosed.get()) {
            return;
        }
        synchronized (stuckDeploymentsClosed) {
            if (stuckDeploymentsClosed.compareAndSet(false, true)) {
                services.mirror().closeStuckDeployments("the operator stopped while this deployment was in progress; "
                        + "the next operator resumed or rolled it back under a new deployment");
            }
        }
    }
}
