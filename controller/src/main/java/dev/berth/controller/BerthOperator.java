package dev.berth.controller;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.application.ApplicationReconciler;
import dev.berth.controller.backup.BackupRunner;
import dev.berth.controller.backup.ScheduledBackupReconciler;
import dev.berth.controller.database.StandaloneDatabaseReconciler;
import dev.berth.controller.host.ServerAccess;
import dev.berth.controller.http.HealthCheck;
import dev.berth.controller.http.HttpEndpoints;
import dev.berth.controller.live.RedisConnection;
import dev.berth.controller.metrics.OperatorMetrics;
import dev.berth.controller.mirror.Mirror;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.server.ServerReconciler;
import dev.berth.controller.ssh.SshConnectionPool;
import dev.berth.controller.ssh.SshSettings;
import dev.berth.controller.status.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the operator: the JOSDK {@link Operator} with one reconciler per kind, leader election, Micrometer metrics,
 * the HTTP endpoints, Redis, and the start-up re-sync of the mirror. Everything it is handed in
 * {@code owned} (the client, the mirror, the local API server...) is closed by {@link #close()}, last to first.
 */
public final class BerthOperator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BerthOperator.class);
    private static final List<Class<? extends HasMetadata>> KINDS =
            List.of(Server.class, Application.class, StandaloneDatabase.class, ScheduledBackup.class);

    private final BerthConfig config;
    private final KubernetesClient client;
    private final Mirror mirror;
    private final HealthCheck mirrorCheck;
    private final List<AutoCloseable> owned;
    private final String identity;
    private final OperatorMetrics metrics = new OperatorMetrics();
    private Optional<RedisConnection> redis = Optional.empty();
    private HttpEndpoints http;
    private Operator operator;
    private SshConnectionPool sshPool;
    private ServerAccess serverAccess;
    private volatile boolean started;
    private volatile boolean leader;
    private volatile boolean closed;
    /** Backup runs going off the reconcile threads: cancelled (dumps ended, copies aborted) before SSH closes. */
    private BackupRunner backupRunner;
    private final Clock clock;

    /**
     * @param mirrorCheck the /readyz line for the mirror database (optional: PostgreSQL down degrades, not fails)
     * @param owned closed by {@link #close()} after the operator stops, in reverse order
     */
    public BerthOperator(BerthConfig config, KubernetesClient client, Mirror mirror, HealthCheck mirrorCheck,
            List<AutoCloseable> owned) {
        this(config, client, mirror, mirrorCheck, owned, Clock.systemUTC());
    }

    /** @param clock the reconcilers' clock (schedules, status times, Events); tests may set it ahead */
    public BerthOperator(BerthConfig config, KubernetesClient client, Mirror mirror, HealthCheck mirrorCheck,
            List<AutoCloseable> owned, Clock clock) {
        this.clock = clock;
        this.config = config;
        this.client = client;
        this.mirror = mirror;
        this.mirrorCheck = mirrorCheck;
        this.owned = new ArrayList<>(owned);
        this.identity = podName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public synchronized void start() {
        log.info("Starting Berth operator {} with {}", identity, config);
        redis = RedisConnection.start(config.redisUrl());
        try {
            http = new HttpEndpoints(config.httpPort(), metrics::scrape, readinessChecks());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on BERTH_HTTP_PORT " + config.httpPort(), e);
        }

        sshPool = new SshConnectionPool(metrics.registry(), SshSettings.defaults());
        serverAccess = new ServerAccess(client, sshPool, metrics.registry());
        ReconcilerServices services = new ReconcilerServices(mirror, new EventRecorder(client, identity, clock),
                clock, metrics.registry(), config, serverAccess, redis);
        operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    // The in-process API server answers server-side apply with HTTP 415, so finalizers and status
                    // are written with JSON patches instead. Harmless on a real API server: Berth is the only
                    // writer of these resources' status and finalizer.
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withMetrics(metrics.josdkMetrics())
                    .withCloseClientOnStop(false)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(10));
            if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(config.leaseName(),
                        config.leaseNamespace(), config.leaseDuration(), config.leaseRenewDeadline(),
                        config.leaseRetryPeriod(), identity, new LeaderCallbacks(this::startedLeading,
                                this::stoppedLeading, newLeader -> log.info("Lease {}/{} is held by {}",
                                        config.leaseNamespace(), config.leaseName(), newLeader)),
                        config.exitOnStopLeading()));
            }
        });
        operator.register(new ServerReconciler(services), controller(config.serverCheckInterval()));
        operator.register(new ApplicationReconciler(services), controller(config.appRecheckInterval()));
        operator.register(new StandaloneDatabaseReconciler(services), controller(config.appRecheckInterval()));
        ScheduledBackupReconciler backups = new ScheduledBackupReconciler(services);
        backupRunner = backups.runner();
        operator.register(backups, controller(null));
        // Returns once every informer has synced; with leader election, reconciling waits for the lease.
        operator.start();
        started = true;
        if (!config.leaderElection()) {
            leader = true;
            resyncMirror();
        }
        log.info("Berth operator started: watching {}, leader election {}, HTTP on port {}",
                config.watchesAllNamespaces() ? "all namespaces" : "namespaces " + String.join(",", config.namespaces()),
                config.leaderElection() ? "on (lease " + config.leaseNamespace() + "/" + config.leaseName() + ")" : "off",
                http.port());
    }

    private <P extends HasMetadata> Consumer<ControllerConfigurationOverrider<P>> controller(Duration recheck) {
        return o -> {
            if (config.watchesAllNamespaces()) {
                o.watchingAllNamespaces();
            } else {
                o.settingNamespaces(config.namespaces());
            }
            if (recheck != null) {
                o.withReconciliationMaxInterval(recheck);
            }
        };
    }

    private void startedLeading() {
        leader = true;
        log.info("{} acquired the lease {}/{}: reconciling", identity, config.leaseNamespace(), config.leaseName());
        resyncMirror();
    }

    private void stoppedLeading() {
        leader = false;
        log.info("{} lost the lease {}/{}", identity, config.leaseNamespace(), config.leaseName());
    }

    /**
     * Start-up re-sync: for each kind, rows whose resource no longer exists are soft-deleted (a resource deleted
     * while no operator ran never went through the finalizer). Resources created meanwhile are mirrored by their
     * first reconcile. Runs after the informers synced, on the replica that reconciles.
     * Scoped to the watched namespaces, so rows of namespaces another operator instance watches are left alone.
     */
    void resyncMirror() {
        for (Class<? extends HasMetadata> kind : KINDS) {
            try {
                List<String> uids = (config.watchesAllNamespaces()
                        ? client.resources(kind).inAnyNamespace().list().getItems().stream()
                        : config.namespaces().stream()
                                .flatMap(ns -> client.resources(kind).inNamespace(ns).list().getItems().stream()))
                        .map(r -> r.getMetadata().getUid()).collect(Collectors.toList());
                mirror.resync(kind, config.watchesAllNamespaces() ? List.of() : config.namespaces(), uids);
                log.info("Mirror re-sync of {}: {} live", kind.getSimpleName(), uids.size());
            } catch (RuntimeException e) {
                log.warn("Mirror re-sync of {} failed: {}", kind.getSimpleName(), e.getClass().getSimpleName());
            }
        }
    }

    private List<HealthCheck> readinessChecks() {
        List<HealthCheck> checks = new ArrayList<>();
        checks.add(new HealthCheck("operator", true, () -> {
            if (!started) {
                return Optional.of("starting (informers syncing)");
            }
            if (!operator.getRuntimeInfo().allEventSourcesAreHealthy()) {
                return Optional.of("unhealthy event sources: " + operator.getRuntimeInfo().unhealthyEventSources().keySet());
            }
            return Optional.empty();
        }));
        checks.add(new HealthCheck("leader", false, () -> !config.leaderElection() || leader ? Optional.empty()
                : Optional.of("standby: another replica holds the lease")));
        checks.add(mirrorCheck);
        redis.ifPresent(r -> checks.add(new HealthCheck("redis", false,
                () -> r.isHealthy() ? Optional.empty() : Optional.of("not connected to " + r.describe()))));
        return checks;
    }

    public boolean isStarted() {
        return started;
    }

    /** True while this replica reconciles: always without leader election, with it while holding the lease. */
    public boolean isLeader() {
        return leader;
    }

    public String identity() {
        return identity;
    }

    public int httpPort() {
        return http.port();
    }

    public OperatorMetrics metrics() {
        return metrics;
    }

    public Optional<RedisConnection> redis() {
        return redis;
    }

    /** Graceful: stops reconciling (in-flight reconciles get up to 10 s), then HTTP, the SSH connections, Redis and what it owns. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("Stopping Berth operator {}", identity);
        if (operator != null) {
            try {
                operator.stop();
            } catch (RuntimeException e) {
                log.warn("Operator stop: {}", e.toString());
            }
        }
        started = false;
        leader = false;
        if (backupRunner != null) {
            backupRunner.close();
        }
        if (http != null) {
            http.close();
        }
        if (serverAccess != null) {
            serverAccess.close();
            sshPool.close();
        }
        redis.ifPresent(RedisConnection::close);
        metrics.close();
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                log.warn("Closing {}: {}", owned.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        log.info("Berth operator {} stopped", identity);
    }

    private static String podName() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "berth";
        }
    }
}
