package dev.berth.controller.server;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.host.ServerAccess;
import dev.berth.controller.reconcile.BerthReconciler;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.status.ConditionAggregator;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.validation.ServerSpecValidator;
import dev.berth.controller.validation.SpecViolations;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.rate.RateLimited;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Servers: each host reached over its pooled, verified SSH connection and checked (OS, Docker version, minVersion,
 * the Berth network created when missing), every {@code BERTH_SERVER_CHECK_INTERVAL} and sooner while it is
 * unreachable; status with the host's facts and the conditions Reachable, DockerReady and Ready.
 *
 * <ul>
 *   <li>{@code spec.suspend}: the connection is closed and nothing touches the host.</li>
 *   <li>A refused host key ({@code HostKeyMismatch}) is sticky for the generation: Berth does not contact the host
 *       again (nor lets other reconcilers, see {@link ServerAccess}) until a person edits the spec.</li>
 *   <li>Deleting a Server that Applications or StandaloneDatabases still reference is held back (Ready=False,
 *       reason InUse, finalizer kept) until they are gone; their deletion triggers the re-check at once.</li>
 * </ul>
 * The status rules (including when lastCheckTime is written) are in {@link ServerStatusRules}.
 */
@ControllerConfiguration(name = ServerReconciler.NAME, finalizerName = Berth.FINALIZER,
        generationAwareEventProcessing = true)
@GradualRetry(maxAttempts = 10, initialInterval = 2_000, intervalMultiplier = 2.0, maxInterval = 300_000)
@RateLimited(maxReconciliations = 5, within = 1, unit = TimeUnit.SECONDS)
public class ServerReconciler extends BerthReconciler<Server, ServerStatus> {
    public static final String NAME = "server";

    private final ServerAccess access;
    private final HostChecker checker;
    private final HostStatusCache cache;
    private volatile InformerEventSource<Application, Server> applications;
    private volatile InformerEventSource<StandaloneDatabase, Server> databases;

    public ServerReconciler(ReconcilerServices services) {
        super("Server", ServerStatus.class, services);
        this.access = services.serverAccess();
        this.checker = new HostChecker(access);
        this.cache = new HostStatusCache(services.redis());
    }

    @Override
    public List<EventSource<?, Server>> prepareEventSources(EventSourceContext<Server> context) {
        applications = users(Application.class, context, a -> a.getSpec() == null ? null : a.getSpec().getServerRef());
        databases = users(StandaloneDatabase.class, context,
                d -> d.getSpec() == null ? null : d.getSpec().getServerRef());
        // A connection that drops (the host closed it, went away, stopped answering keep-alives) re-checks its Server
        // now rather than at the next periodic check, so status says so within seconds.
        SimpleInboundEventSource<Server> lost = new SimpleInboundEventSource<>("ssh-connection-lost");
        access.onConnectionLost(lost::propagateEvent);
        return List.of(applications, databases, lost);
    }

    /**
     * An informer on a kind that runs on Servers. Its events only matter to a Server waiting to be deleted, so only
     * such a Server is triggered (a workload's every status write must not re-check its host).
     */
    private static <R extends HasMetadata> InformerEventSource<R, Server> users(Class<R> kind,
            EventSourceContext<Server> context, Function<R, LocalRef> serverRef) {
        InformerEventSourceConfiguration<R> configuration = InformerEventSourceConfiguration
                .from(kind, Server.class)
                .withName(kind.getSimpleName().toLowerCase() + "-users")
                .withNamespacesInheritedFromController()
                .withSecondaryToPrimaryMapper(r -> {
                    LocalRef ref = serverRef.apply(r);
                    if (ref == null || ref.getName() == null) {
                        return Set.of();
                    }
                    ResourceID id = new ResourceID(ref.getName(), r.getMetadata().getNamespace());
                    return context.getPrimaryCache().get(id).filter(HasMetadata::isMarkedForDeletion).isPresent()
                            ? Set.of(id) : Set.of();
                })
                .build();
        return new InformerEventSource<>(configuration, context);
    }

    @Override
    protected SpecViolations validate(Server resource) {
        return ServerSpecValidator.validate(resource.getSpec());
    }

    @Override
    protected boolean suspended(Server resource) {
        return Boolean.TRUE.equals(resource.getSpec().getSuspend());
    }

    @Override
    public UpdateControl<Server> reconcile(Server server, Context<Server> context) {
        if (server.getSpec() != null && suspended(server) && access.holds(server)) {
            access.disconnect(server);
            log.info("Server {} suspended: its SSH connection is closed", ref(server));
        }
        return super.reconcile(server, context);
    }

    @Override
    protected Outcome converge(Server server, Context<Server> context, ServerStatus status) {
        ServerStatus previous = server.getStatus();
        if (previous != null && ServerAccess.hostKeyRefusal(server).isPresent()) {
            return ServerStatusRules.unchanged(previous);
        }
        Duration interval = services.config().serverCheckInterval();
        Instant now = services.clock().instant();
        HostCheck check = checker.check(server);
        Outcome outcome = ServerStatusRules.apply(check, previous, status, now, interval);

        if (check.networkCreated()) {
            String detail = "created Docker network " + check.facts().network() + " on " + check.facts().address();
            services.mirror().recordActivity(server, "network.create", detail);
            services.events().record(server, EventRecorder.NORMAL, "NetworkCreated", detail);
            log.info("Server {}: {}", ref(server), detail);
        }
        String before = previous == null ? null : previous.getHostKeyFingerprint();
        if (status.getHostKeyFingerprint() != null && !status.getHostKeyFingerprint().equals(before)) {
            ServerSpec.HostKey hostKey = server.getSpec().getHostKey();
            boolean firstUse = hostKey == null || hostKey.getPolicy() != ServerSpec.HostKeyPolicy.Pinned
                    && hostKey.getFingerprint() == null;
            services.events().record(server, EventRecorder.NORMAL, "HostKeyRecorded", "host key "
                    + status.getHostKeyFingerprint() + (firstUse
                    ? " trusted on first use; any other key will be refused" : " verified"));
        }
        recordConditionTransitions(server, previous, outcome);
        cache.put(server, check, status, now, interval);
        return outcome;
    }

    /** Events when Reachable or DockerReady flip (BerthReconciler writes the one for Ready). */
    private void recordConditionTransitions(Server server, ServerStatus previous, Outcome outcome) {
        for (Condition c : outcome.extraConditions()) {
            String old = previous == null ? null : previous.condition(c.getType()).map(Condition::getStatus).orElse(null);
            if (old != null && !old.equals(c.getStatus())) {
                services.events().record(server, Condition.TRUE.equals(c.getStatus()) ? EventRecorder.NORMAL
                        : EventRecorder.WARNING, c.getReason(), c.getType() + " is " + c.getStatus() + ": " + c.getMessage());
            }
        }
    }

    @Override
    public DeleteControl cleanup(Server server, Context<Server> context) {
        List<String> users = users(server);
        if (!users.isEmpty()) {
            holdDeletion(server, context, users);
            return DeleteControl.noFinalizerRemoval()
                    .rescheduleAfter(services.config().serverCheckInterval().toMillis());
        }
        access.disconnect(server);
        cache.remove(server);
        return super.cleanup(server, context);
    }

    /** Applications and StandaloneDatabases naming this Server in spec.serverRef, as "Kind name". */
    List<String> users(Server server) {
        String namespace = server.getMetadata().getNamespace();
        String name = server.getMetadata().getName();
        List<String> users = new ArrayList<>();
        if (applications != null) {
            applications.list(namespace, a -> a.getSpec() != null && a.getSpec().getServerRef() != null
                    && name.equals(a.getSpec().getServerRef().getName()))
                    .forEach(a -> users.add("Application " + a.getMetadata().getName()));
        }
        if (databases != null) {
            databases.list(namespace, d -> d.getSpec() != null && d.getSpec().getServerRef() != null
                    && name.equals(d.getSpec().getServerRef().getName()))
                    .forEach(d -> users.add("StandaloneDatabase " + d.getMetadata().getName()));
        }
        users.sort(null);
        return users;
    }

    /** Ready=False/InUse in status (written only when it changes), with a Warning Event and the mirror row. */
    private void holdDeletion(Server server, Context<Server> context, List<String> users) {
        ServerStatus previous = server.getStatus();
        ServerStatus next = previous == null ? new ServerStatus()
                : context.getClient().getKubernetesSerialization().clone(previous);
        String message = "deletion waits: still used by " + String.join(", ", users)
                + " (spec.serverRef); delete them or point them at another Server, and the Server goes";
        ConditionAggregator conditions = new ConditionAggregator(previous == null ? null : previous.getConditions(),
                server.getMetadata().getGeneration(), services.clock().instant());
        conditions.set(Berth.CONDITION_READY, false, ServerReasons.IN_USE, message);
        if (previous != null) {
            previous.getConditions().stream().filter(c -> !Berth.CONDITION_READY.equals(c.getType()))
                    .forEach(c -> conditions.set(c));
        }
        next.setConditions(conditions.build());
        next.setState("Deleting");
        if (Objects.equals(previous, next)) {
            return;
        }
        log.info("Server {}: {}", ref(server), message);
        services.events().record(server, EventRecorder.WARNING, ServerReasons.IN_USE, message);
        writeStatus(server, previous, next, context);
        server.setStatus(next);
        services.mirror().upsert(server);
    }
}
