package dev.berth.controller.bench;

import static dev.berth.controller.bench.DockerCli.percentile;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.controller.BerthConfig;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.Main;
import dev.berth.controller.application.DesiredContainers;
import dev.berth.controller.application.ResolvedEnv;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.local.LocalApiServer;
import dev.berth.controller.mirror.MirrorDatabase;
import dev.berth.controller.mirror.PostgresMirror;
import dev.berth.controller.testbed.TestBed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jooq.Record;

/**
 * Cold start of N Applications spread over the test bed's hosts, three ways in one run (issue 4, "Benchmark"):
 * <ol>
 *   <li><b>berth</b>: the whole operator in this JVM (in-process API server, embedded PostgreSQL, the bed's Redis,
 *       real SSH + dockerd), two Ready Servers, then N Applications created at once; the clock runs from the first
 *       create to the last {@code Ready=True} seen by an informer;</li>
 *   <li><b>floor</b>: the same container configurations (computed by {@link DesiredContainers}, the operator's own
 *       pure code) created and started by docker-java on each host's local dockerd socket, in parallel, at most
 *       {@code maxConcurrentOperations} (the Server default, 8) at a time per host, as Berth is bounded; run twice
 *       (after Berth and at the end) to see drift on the shared machine;</li>
 *   <li><b>cli</b>: the same containers by {@code docker run -d} with {@code DOCKER_HOST=ssh://root@host}, one after
 *       the other: what a Coolify-style tool does.</li>
 * </ol>
 * Every container carries the label {@code berth-bench=cold-start}; all of them are removed (through the local
 * sockets) between phases and at the end. Prints one Markdown result row and a profile block on stdout.
 *
 * <p>Arguments: {@code n sshWrapperDir dataDir}. Run by {@code scripts/bench-apps.sh}.
 */
public final class ApplicationColdStartBenchmark {
    static final String NS = "bench";
    static final String BENCH_LABEL = "berth-bench";
    static final String BENCH_VALUE = "cold-start";
    static final String NETWORK = "berth";
    /** ServerSpec.maxConcurrentOperations' default: Berth's per-host bound, used for the floor too. */
    static final int PER_HOST = 8;
    static final Duration READY_TIMEOUT = Duration.ofMinutes(5);

    private final TestBed bed;
    private final int n;
    private final Path sshWrapperDir;
    private final Path dataDir;
    private final Map<Integer, DockerClient> local = new TreeMap<>();
    private final Map<String, Object> result = new LinkedHashMap<>();
    private final StringBuilder profile = new StringBuilder();

    private ApplicationColdStartBenchmark(TestBed bed, int n, Path sshWrapperDir, Path dataDir) {
        this.bed = bed;
        this.n = n;
        this.sshWrapperDir = sshWrapperDir;
        this.dataDir = dataDir;
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        ApplicationColdStartBenchmark bench = new ApplicationColdStartBenchmark(TestBed.get(), n, Path.of(args[1]),
                Path.of(args[2]));
        int code = 0;
        try {
            bench.run();
        } catch (Throwable t) {
            t.printStackTrace();
            code = 1;
        } finally {
            try {
                bench.sweep();
            } catch (RuntimeException e) {
                System.err.println("final sweep failed: " + e);
                code = 1;
            }
        }
        System.exit(code);
    }

    private void run() throws Exception {
        for (TestBed.Host h : bed.hosts().subList(0, 2)) {
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(h.localDockerHost()).build();
            local.put(h.index(), DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost()).maxConnections(PER_HOST).build()));
        }
        sweep();
        log("N=%d over hosts %s", n, local.keySet());

        berth();
        sweep();
        floor("floor1");
        sweep();
        cli();
        sweep();
        floor("floor2");
        sweep();
        report();
    }

    // --- the Applications and their containers ------------------------------------------------------------------

    private static String serverOf(int i) {
        return "h" + (i % 2 + 1);
    }

    private static int hostOf(int i) {
        return i % 2 + 1;
    }

    /**
     * Application {@code i}: the bed's busybox httpd image as it is (its own command), container port 8080 not
     * published, no Docker health check and startPeriod 0s: Ready means "seen running", the nearest Berth has to
     * what {@code docker run -d} returning (the CLI) and start returning (the floor) mean.
     */
    static Application app(int i, String image) {
        Application a = new Application();
        a.setMetadata(new ObjectMetaBuilder().withName("app-" + i).withNamespace(NS).build());
        ApplicationSpec spec = new ApplicationSpec();
        spec.setServerRef(new LocalRef(serverOf(i)));
        spec.setImage(image);
        ApplicationSpec.PortMapping port = new ApplicationSpec.PortMapping();
        port.setContainerPort(8080);
        spec.setPorts(List.of(port));
        dev.berth.api.v1alpha1.HealthCheck check = new dev.berth.api.v1alpha1.HealthCheck();
        check.setType(dev.berth.api.v1alpha1.HealthCheck.Type.none);
        check.setStartPeriod("0s");
        spec.setHealthCheck(check);
        spec.setLabels(new LinkedHashMap<>(Map.of(BENCH_LABEL, BENCH_VALUE)));
        a.setSpec(spec);
        return a;
    }

    /** The container Berth would create for application {@code i} (a fresh uid: the labels differ per phase). */
    private ContainerSpec containerOf(int i) {
        Application a = app(i, bed.appImage());
        a.getMetadata().setUid(UUID.randomUUID().toString());
        a.getMetadata().setGeneration(1L);
        return DesiredContainers.compute(a, ResolvedEnv.empty(), NETWORK).containers().get(0);
    }

    // --- 1. Berth ---------------------------------------------------------------------------------------------

    private void berth() throws Exception {
        Path pg = Files.createDirectories(dataDir.resolve("pgdata-" + n));
        MirrorDatabase database = MirrorDatabase.open(null, null, null, pg);
        LocalApiServer api = LocalApiServer.start();
        AtomicInteger statusWrites = new AtomicInteger();
        AtomicInteger apiRequests = new AtomicInteger();
        api.onRequest(r -> {
            apiRequests.incrementAndGet();
            String path = r.getPath() == null ? "" : r.getPath().split("\\?")[0];
            if (("PATCH".equals(r.getMethod()) || "PUT".equals(r.getMethod())) && path.endsWith("/status")
                    && path.contains("/applications/")) {
                statusWrites.incrementAndGet();
            }
        });
        KubernetesClient client = api.newClient();
        BerthConfig config = BerthConfig.from(Map.of("BERTH_HTTP_PORT", "0", "BERTH_REDIS_URL", bed.redisUrl()));
        PostgresMirror mirror = new PostgresMirror(database);
        Sampler sampler = new Sampler();
        BerthOperator operator = null;
        SharedIndexInformer<Application> informer = null;
        try {
            sampler.measuring = true; // from the operator's start to the last Ready
            sampler.start();
            long opStart = System.nanoTime();
            operator = new BerthOperator(config, api.newClient(), mirror, Main.mirrorCheck(database, mirror),
                    List.of(mirror));
            operator.start();
            MeterRegistry registry = operator.metrics().registry();
            sampler.registry = registry;
            for (TestBed.Host h : bed.hosts().subList(0, 2)) {
                server(client, "h" + h.index(), h);
            }
            waitFor("both Servers Ready", Duration.ofSeconds(60), () -> client.resources(Server.class).inNamespace(NS)
                    .list().getItems().stream().filter(ApplicationColdStartBenchmark::ready).count() == 2);
            log("operator started and both Servers Ready in %.1f s", secondsSince(opStart));

            Map<String, Long> readyAt = new ConcurrentHashMap<>();
            informer = client.resources(Application.class).inNamespace(NS).inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Application a) {
                    seen(a);
                }

                @Override
                public void onUpdate(Application old, Application a) {
                    seen(a);
                }

                @Override
                public void onDelete(Application a, boolean unknown) {
                }

                private void seen(Application a) {
                    if (ready(a)) {
                        readyAt.putIfAbsent(a.getMetadata().getName(), System.nanoTime());
                    }
                }
            });
            double opsBefore = dockerOps(registry);
            double dockerSecondsBefore = dockerSeconds(registry);
            int statusBefore = statusWrites.get();
            int apiBefore = apiRequests.get();
            OffsetDateTime wallStart = OffsetDateTime.now();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                client.resource(app(i, bed.appImage())).create();
            }
            double createdIn = secondsSince(t0);
            waitFor(n + " Applications Ready", READY_TIMEOUT, () -> readyAt.size() >= n);
            long t1 = readyAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
            sampler.measuring = false;
            double wall = (t1 - t0) / 1e9;
            double ops = dockerOps(registry) - opsBefore;

            List<Double> perApp = readyAt.values().stream().map(t -> (t - t0) / 1e9).sorted().toList();
            Map<String, Double> opened = byHost(registry, "berth.ssh.connections.opened");
            Map<String, Long> actions = new TreeMap<>();
            for (Record r : database.dsl().fetch("select action, count(*) c from activity_log "
                    + "where resource_kind = 'Application' group by action")) {
                actions.put(r.get("action", String.class), r.get("c", Long.class));
            }
            Record span = database.dsl().fetchOne("select min(occurred_at) first, max(occurred_at) last "
                    + "from activity_log where resource_kind = 'Application' and action = 'container.start'");
            Record deployments = database.dsl().fetchOne("select count(*) c, count(*) filter (where status = 'finished') f "
                    + "from application_deployments");
            double lastStart = Duration.between(wallStart, span.get("last", OffsetDateTime.class)).toNanos() / 1e9;
            double firstStart = Duration.between(wallStart, span.get("first", OffsetDateTime.class)).toNanos() / 1e9;

            result.put("berth", wall);
            result.put("berthOps", ops);
            result.put("berthWrites", (double) actions.getOrDefault("container.create", 0L)
                    + actions.getOrDefault("container.start", 0L));
            result.put("rss", sampler.peakRss / 1024.0);
            result.put("heap", sampler.peakHeap / 1048576.0);
            result.put("connections", opened);
            result.put("channels", sampler.peakChannels);

            profile.append(String.format(Locale.ROOT, "- Applications created in the API server: %.2f s; first "
                    + "container started at %.2f s, last at %.2f s (activity rows); all Ready at %.2f s; per "
                    + "Application time to Ready p50 %.2f s, p95 %.2f s%n", createdIn, firstStart, lastStart, wall,
                    percentile(perApp, 50), percentile(perApp, 95)));
            profile.append(String.format(Locale.ROOT, "- Docker API calls through SSH: %.0f (%.1f per Application, "
                    + "%.0f/s), %.1f s spent in them in total (mean %.1f ms); activity rows %s; deployments %s "
                    + "(finished %s)%n", ops, ops / n, ops / wall, dockerSeconds(registry) - dockerSecondsBefore,
                    1000 * (dockerSeconds(registry) - dockerSecondsBefore) / ops, actions,
                    deployments.get("c"), deployments.get("f")));
            profile.append(String.format(Locale.ROOT, "- Application status writes: %d (%.1f per Application); "
                    + "API requests during the run: %d; peak SSH channels open: %d%n", statusWrites.get() - statusBefore,
                    (statusWrites.get() - statusBefore) / (double) n, apiRequests.get() - apiBefore,
                    sampler.peakChannels));
            profile.append("- Berth meters after the run: ").append(meters(registry)).append('\n');
            log("berth: %d Ready in %.2f s (last container started at %.2f s)", n, wall, lastStart);
        } finally {
            sampler.stop();
            if (informer != null) {
                informer.close();
            }
            if (operator != null) {
                operator.close();
            }
            client.close();
            api.close();
            database.close();
        }
    }

    private void server(KubernetesClient client, String name, TestBed.Host host) {
        client.resource(new SecretBuilder().withNewMetadata().withName(name + "-key").withNamespace(NS).endMetadata()
                .withType("kubernetes.io/ssh-auth")
                .withData(Map.of("ssh-privatekey", Base64.getEncoder().encodeToString(host.privateKey())))
                .build()).create();
        Server s = new Server();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        ServerSpec spec = new ServerSpec();
        spec.setHost(host.address());
        spec.setPort(host.port());
        spec.setUser(host.user());
        spec.setPrivateKeySecretRef(new SecretKeyRef(name + "-key", null));
        ServerSpec.HostKey hostKey = new ServerSpec.HostKey();
        hostKey.setPolicy(ServerSpec.HostKeyPolicy.Pinned);
        hostKey.setFingerprint(host.hostKeyFingerprint());
        spec.setHostKey(hostKey);
        s.setSpec(spec);
        client.resource(s).create();
    }

    static boolean ready(io.fabric8.kubernetes.client.CustomResource<?, ? extends dev.berth.api.v1alpha1.BerthStatus> r) {
        return r != null && r.getStatus() != null && r.getStatus().condition(Berth.CONDITION_READY)
                .map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
    }

    private static double dockerOps(MeterRegistry registry) {
        return registry.find("berth.docker.operation").timers().stream().mapToDouble(Timer::count).sum();
    }

    private static double dockerSeconds(MeterRegistry registry) {
        return registry.find("berth.docker.operation").timers().stream()
                .mapToDouble(t -> t.totalTime(TimeUnit.NANOSECONDS) / 1e9).sum();
    }

    private static Map<String, Double> byHost(MeterRegistry registry, String name) {
        Map<String, Double> m = new TreeMap<>();
        registry.find(name).counters().forEach(c -> m.merge(c.getId().getTag("host"), c.count(), Double::sum));
        return m;
    }

    /** The berth.* counters and timers, compactly: what the operator did during the run. */
    private static String meters(MeterRegistry registry) {
        Map<String, String> out = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            if (!name.startsWith("berth.") || m instanceof Gauge) {
                continue;
            }
            String tags = m.getId().getTags().stream().filter(t -> !t.getKey().equals("host"))
                    .map(t -> t.getKey() + "=" + t.getValue()).collect(Collectors.joining(","));
            String key = name + (tags.isEmpty() ? "" : "{" + tags + "}");
            String value;
            if (m instanceof Counter c) {
                value = String.format(Locale.ROOT, "%.0f", c.count());
            } else if (m instanceof Timer t) {
                value = String.format(Locale.ROOT, "%d calls, %.1f s", t.count(), t.totalTime(TimeUnit.SECONDS));
            } else {
                continue;
            }
            out.merge(key, value, (a, b) -> a + " + " + b);
        }
        return out.entrySet().stream().map(e -> "`" + e.getKey() + "` " + e.getValue())
                .collect(Collectors.joining("; "));
    }

    // --- 2. the floor: docker-java on the local sockets, in parallel --------------------------------------------

    private void floor(String key) throws Exception {
        List<ContainerSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            specs.add(containerOf(i));
        }
        Map<Integer, ExecutorService> pools = new TreeMap<>();
        local.keySet().forEach(h -> pools.put(h, Executors.newFixedThreadPool(PER_HOST)));
        try {
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                DockerClient docker = local.get(hostOf(i));
                ContainerSpec spec = specs.get(i);
                done.add(pools.get(hostOf(i)).submit(() -> {
                    String id = create(docker, spec);
                    docker.startContainerCmd(id).exec();
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double wall = secondsSince(t0);
            result.put(key, wall);
            log("%s: %d containers created and started in %.2f s", key, n, wall);
        } finally {
            pools.values().forEach(ExecutorService::shutdownNow);
        }
        checkRunning(key);
    }

    /** As SshDockerHost.createContainer maps a ContainerSpec (the parts the benchmark's containers use). */
    private static String create(DockerClient docker, ContainerSpec spec) {
        CreateContainerCmd cmd = docker.createContainerCmd(spec.image()).withName(spec.name())
                .withLabels(spec.labels())
                .withEnv(spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        if (!spec.command().isEmpty()) {
            cmd.withCmd(spec.command());
        }
        if (spec.entrypoint() != null) {
            cmd.withEntrypoint(spec.entrypoint());
        }
        HostConfig host = HostConfig.newHostConfig().withNetworkMode(spec.network());
        if (!spec.networkAliases().isEmpty()) {
            cmd.withAliases(spec.networkAliases());
        }
        List<ExposedPort> exposed = spec.ports().stream().map(p -> new ExposedPort(p.containerPort(),
                InternetProtocol.parse(p.protocol() == null ? "tcp" : p.protocol()))).toList();
        if (!exposed.isEmpty()) {
            cmd.withExposedPorts(exposed);
        }
        if (spec.restartPolicy() != null) {
            host.withRestartPolicy(RestartPolicy.parse(spec.restartPolicy()));
        }
        return cmd.withHostConfig(host).exec().getId();
    }

    // --- 3. the sequential Docker CLI over ssh:// ---------------------------------------------------------------

    private void cli() throws Exception {
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            commands.add(cliRun(containerOf(i), bed.appImage()));
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            TestBed.Host h = bed.host(hostOf(i));
            new DockerCli("ssh://" + h.user() + "@" + h.address() + ":" + h.port(), sshWrapperDir.toString())
                    .run(commands.get(i));
            if ((i + 1) % 50 == 0) {
                log("  cli: %d/%d (%.1f s)", i + 1, n, secondsSince(t0));
            }
        }
        double wall = secondsSince(t0);
        result.put("cli", wall);
        log("cli: %d containers by docker run -d over ssh:// in %.2f s", n, wall);
        checkRunning("cli");
    }

    /** {@code docker run -d} with everything the ContainerSpec sets (no health check, env or mounts here). */
    static List<String> cliRun(ContainerSpec spec, String image) {
        if (spec.health() != null || !spec.mounts().isEmpty() || spec.memoryBytes() != null || spec.nanoCpus() != null
                || (spec.entrypoint() != null && spec.entrypoint().size() != 1)) {
            throw new IllegalArgumentException("the CLI baseline does not map this spec: " + spec);
        }
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", spec.name()));
        spec.labels().forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
        spec.env().forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
        args.addAll(List.of("--network", spec.network()));
        spec.networkAliases().forEach(a -> args.addAll(List.of("--network-alias", a)));
        spec.ports().forEach(p -> args.addAll(List.of("--expose", p.containerPort() + "/" + p.protocol())));
        if (spec.restartPolicy() != null) {
            args.addAll(List.of("--restart", spec.restartPolicy()));
        }
        if (spec.entrypoint() != null) {
            args.addAll(List.of("--entrypoint", spec.entrypoint().get(0)));
        }
        args.add(image);
        args.addAll(spec.command());
        return args;
    }

    // --- housekeeping -------------------------------------------------------------------------------------------

    private List<Container> benchContainers(DockerClient docker) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(BENCH_LABEL, BENCH_VALUE)).exec();
    }

    /** Every phase must leave exactly N running containers with the bench label. */
    private void checkRunning(String phase) {
        long running = local.values().stream().flatMap(d -> benchContainers(d).stream())
                .filter(c -> "running".equals(c.getState())).count();
        if (running != n) {
            throw new IllegalStateException(phase + ": " + running + " containers running, expected " + n);
        }
    }

    /** Removes every container with the bench label from every host (local sockets, in parallel). */
    void sweep() throws RuntimeException {
        ExecutorService pool = Executors.newFixedThreadPool(PER_HOST * Math.max(1, local.size()));
        try {
            List<Future<?>> done = new ArrayList<>();
            int removed = 0;
            for (DockerClient docker : local.values()) {
                for (Container c : benchContainers(docker)) {
                    removed++;
                    done.add(pool.submit(() -> {
                        try {
                            docker.removeContainerCmd(c.getId()).withForce(true).exec();
                        } catch (NotFoundException gone) {
                            // fine
                        }
                    }));
                }
            }
            for (Future<?> f : done) {
                f.get();
            }
            for (DockerClient docker : local.values()) {
                if (!benchContainers(docker).isEmpty()) {
                    throw new IllegalStateException("containers with " + BENCH_LABEL + " left after the sweep");
                }
            }
            if (removed > 0) {
                log("swept %d containers", removed);
            }
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }

    private void report() {
        double berth = (double) result.get("berth");
        double floor = Math.min((double) result.get("floor1"), (double) result.get("floor2"));
        double cli = (double) result.get("cli");
        @SuppressWarnings("unchecked")
        Map<String, Double> conns = (Map<String, Double>) result.get("connections");
        String connections = conns.values().stream().map(v -> String.format(Locale.ROOT, "%.0f", v))
                .collect(Collectors.joining(" / "));
        System.out.println(String.format(Locale.ROOT,
                "| %d | %.2f | %.2f / %.2f | %.1f | %.2f× | %.1f× | %.1f (%.1f) | %.1f | %.1f | %.0f | %.0f | %s |",
                n, berth, (double) result.get("floor1"), (double) result.get("floor2"), cli, berth / floor, cli / berth,
                (double) result.get("berthOps") / berth, (double) result.get("berthWrites") / berth, 2 * n / floor,
                2 * n / cli, (double) result.get("rss"), (double) result.get("heap"), connections));
        System.out.println();
        System.out.println("PROFILE N=" + n);
        System.out.print(profile);
    }

    // --- small things -------------------------------------------------------------------------------------------

    /** Samples the process every 100 ms: VmRSS, heap used, SSH channels open (peaks while measuring). */
    private static final class Sampler implements Runnable {
        volatile boolean measuring;
        volatile long peakRss;
        volatile long peakHeap;
        volatile int peakChannels;
        volatile MeterRegistry registry;
        private volatile boolean stopped;
        private Thread thread;

        void start() {
            thread = new Thread(this, "bench-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join();
        }

        @Override
        public void run() {
            var memory = ManagementFactory.getMemoryMXBean();
            while (!stopped) {
                if (measuring) {
                    peakRss = Math.max(peakRss, vmRssKib());
                    peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
                    MeterRegistry r = registry;
                    if (r != null) {
                        int open = (int) r.find("berth.ssh.channels.open").gauges().stream()
                                .mapToDouble(Gauge::value).sum();
                        peakChannels = Math.max(peakChannels, open);
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    static long vmRssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    interface Check {
        boolean done() throws Exception;
    }

    private static void waitFor(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.done()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.err.printf("[bench-apps] " + format + "%n", args);
    }
}
