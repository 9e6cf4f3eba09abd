package dev.berth.controller.bench;

import static dev.berth.controller.bench.DockerCli.percentile;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.application.AppTestBed;
import dev.berth.controller.database.DatabaseEngine;
import dev.berth.controller.database.DatabaseLogin;
import dev.berth.controller.database.DesiredDatabase;
import dev.berth.controller.database.ReadinessCheck;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.testbed.TestBed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * StandaloneDatabase: time to Ready (issue 10, "Benchmark"), three measurements in one run, with the whole operator
 * in this JVM on the test bed ({@link AppTestBed}: in-process API server, embedded PostgreSQL mirror, the bed's Redis,
 * real SSH + dockerd):
 * <ol>
 *   <li><b>per engine</b> (image present, fresh volume), repeated: <i>Berth</i> = create the StandaloneDatabase →
 *       {@code Ready=True} seen by an informer; <i>floor</i> = the same container ({@link DesiredDatabase#compute},
 *       the operator's own pure code, on a fresh volume) created and started by docker-java on the host's local
 *       socket and polled with the same readiness check ({@link DatabaseEngine#readiness}, by {@code docker exec})
 *       every 100 ms until it passes. Berth and floor alternate within each repetition.</li>
 *   <li><b>status lag</b>, during each Berth repetition: a client (the readiness check by {@code docker exec} through
 *       the local socket, every 100 ms, from the moment the container runs) records the wall-clock time it first
 *       got an authenticated answer (when the exec returned 0); the informer records the wall-clock time the
 *       {@code Ready=True} event arrived. Lag = event − answer.</li>
 *   <li><b>many</b>: M Redis databases created at once, alternating over the bed's two hosts: time from the first
 *       create to the last {@code Ready=True}; peak RSS of this JVM ({@code /proc/self/status} VmRSS every 100 ms: the
 *       operator, the API server and the benchmark together; the mirror's PostgreSQL is a separate process);
 *       SSH connections per host, twice: Berth's {@code berth.ssh.connections.opened} counter and the peak number of
 *       ESTABLISHED TCP connections to each host's sshd in {@code /proc/net/tcp} (only this JVM talks to this slot's
 *       hosts).</li>
 * </ol>
 * Databases use a credentials Secret made here (so the client knows the password) and {@code deletionPolicy:
 * Delete}; everything is removed between measurements (containers and volumes of the floor through the local socket).
 * Prints Markdown on stdout.
 *
 * <p>Arguments: {@code repetitions many dataDir [engine...]}. Run by {@code scripts/bench-databases.sh}.
 */
public final class DatabaseReadyBenchmark {
    /** Berth and floor rounds of one Redis each before anything is measured. */
    static final int WARMUP_ROUNDS = 10;

    static final String NS = AppTestBed.NS;
    static final String NETWORK = "berth";
    static final Duration READY_TIMEOUT = Duration.ofMinutes(4);
    /** For M databases at once on a loaded 2-core machine (run 2 of 2026-12-02 did not finish 50 within 4 min). */
    static final Duration MANY_TIMEOUT = Duration.ofMinutes(10);
    static final long POLL_MS = 100;
    static final String FLOOR_LABEL = "berth-bench";
    static final String FLOOR_VALUE = "database-ready";

    enum Engine {
        POSTGRES_15("berth-test/postgres:15", StandaloneDatabaseSpec.Engine.POSTGRESQL),
        MYSQL_9("berth-test/mysql:9", StandaloneDatabaseSpec.Engine.MYSQL),
        MARIADB_10("berth-test/mariadb:10.11", StandaloneDatabaseSpec.Engine.MARIADB),
        REDIS_7("berth-test/redis:7.0", StandaloneDatabaseSpec.Engine.REDIS),
        VALKEY_9("berth-test/valkey:9", StandaloneDatabaseSpec.Engine.VALKEY),
        CLICKHOUSE_18("berth-test/clickhouse:18.16", StandaloneDatabaseSpec.Engine.CLICKHOUSE);

        final String image;
        final StandaloneDatabaseSpec.Engine engine;

        Engine(String image, StandaloneDatabaseSpec.Engine engine) {
            this.image = image;
            this.engine = engine;
        }

        String shortName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final int repetitions;
    private final int many;
    private final List<Engine> engines;
    private final AppTestBed t;
    private final Map<Integer, DockerClient> local = new TreeMap<>();
    private final String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    private final Map<String, Long> readyWallMs = new ConcurrentHashMap<>();
    private final Map<String, Long> readyNanos = new ConcurrentHashMap<>();
    private final StringBuilder out = new StringBuilder();
    private final List<String> notes = new ArrayList<>();
    private BerthOperator operator;
    private SharedIndexInformer<StandaloneDatabase> informer;
    private int serial;

    private DatabaseReadyBenchmark(int repetitions, int many, List<Engine> engines, Path dataDir) {
        this.repetitions = repetitions;
        this.many = many;
        this.engines = engines;
        this.t = new AppTestBed(dataDir);
    }

    public static void main(String[] args) throws Exception {
        int repetitions = Integer.parseInt(args[0]);
        int many = Integer.parseInt(args[1]);
        Path dataDir = Files.createDirectories(Path.of(args[2]));
        List<Engine> engines = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            engines.add(Engine.valueOf(args[i].toUpperCase(Locale.ROOT).replace('-', '_')));
        }
        if (engines.isEmpty()) {
            engines.addAll(List.of(Engine.values()));
        }
        int code = 0;
        DatabaseReadyBenchmark bench = new DatabaseReadyBenchmark(repetitions, many, engines, dataDir);
        try {
            bench.run();
        } catch (Throwable e) {
            e.printStackTrace();
            code = 1;
        } finally {
            try {
                bench.close();
            } catch (RuntimeException e) {
                System.err.println("clean-up failed: " + e);
                code = 1;
            }
        }
        System.out.print(bench.out);
        System.exit(code);
    }

    private void run() throws Exception {
        for (TestBed.Host h : t.bed.hosts().subList(0, 2)) {
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(h.localDockerHost()).build();
            local.put(h.index(), DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                    .dockerHost(config.getDockerHost()).maxConnections(16).build()));
        }
        sweepFloor();
        long opStart = System.nanoTime();
        operator = t.startOperator();
        t.client.resource(new SecretBuilder().withNewMetadata().withName("bench-login").withNamespace(NS).endMetadata()
                .withData(Map.of("username", b64("bench"), "password", b64(password))).build()).create();
        t.server("h1", 1);
        t.server("h2", 2);
        waitFor("both Servers Ready", Duration.ofSeconds(60), () -> t.client.resources(Server.class).inNamespace(NS)
                .list().getItems().stream().filter(s -> s.getStatus() != null && s.getStatus()
                        .condition(Berth.CONDITION_READY).map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false))
                .count() == 2);
        log("operator started and both Servers Ready in %.1f s", (System.nanoTime() - opStart) / 1e9);
        informer = t.client.resources(StandaloneDatabase.class).inNamespace(NS).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StandaloneDatabase d) {
                seen(d);
            }

            @Override
            public void onUpdate(StandaloneDatabase old, StandaloneDatabase d) {
                seen(d);
            }

            @Override
            public void onDelete(StandaloneDatabase d, boolean unknown) {
            }

            private void seen(StandaloneDatabase d) {
                if (ready(d)) {
                    long wall = System.currentTimeMillis();
                    long nanos = System.nanoTime();
                    readyWallMs.putIfAbsent(d.getMetadata().getName(), wall);
                    readyNanos.putIfAbsent(d.getMetadata().getName(), nanos);
                }
            }
        });
        for (DockerClient d : local.values()) {
            if (d.listNetworksCmd().withNameFilter(NETWORK).exec().stream().noneMatch(n -> NETWORK.equals(n.getName()))) {
                d.createNetworkCmd().withName(NETWORK).exec();
            }
        }

        // Warm-up, not recorded: the first reconciles of a kind load and compile code paths. One round was not enough:
        // whichever engine was measured first came out ~0.1 s slower (docs/benchmarks.md, run 13), as an operator
        // that has run for a while is not.
        if (present(Engine.REDIS_7)) {
            for (int i = 1; i <= WARMUP_ROUNDS; i++) {
                berthOnce(Engine.REDIS_7, "warmup" + i, true);
                floorOnce(Engine.REDIS_7, "warmup" + i);
            }
        }
        if (repetitions > 0) {
            perEngine();
        }
        if (many > 0) {
            many();
        }
    }

    // --- 1 and 2: per engine, Berth against the floor, and the status lag ------------------------------------------

    private void perEngine() throws Exception {
        out.append("| engine (image) | Berth: create → Ready=True (s, median / max) | floor: docker-java create+start → "
                + "check passes (s, median / max) | Berth / floor (medians) | status lag: first answer → Ready event "
                + "(ms, median / max; separate runs with the client) | runs |\n|---|---:|---:|---:|---:|---:|\n");
        List<Double> allLags = new ArrayList<>();
        for (Engine e : engines) {
            if (!present(e)) {
                out.append("| ").append(e.shortName()).append(" (").append(e.image)
                        .append(") | not on the bed: skipped | | | | 0 |\n");
                continue;
            }
            List<Double> berth = new ArrayList<>();
            List<Double> floor = new ArrayList<>();
            List<Double> lags = new ArrayList<>();
            List<Double> berthStarted = new ArrayList<>();
            List<Double> berthAnswer = new ArrayList<>();
            List<Double> floorStarted = new ArrayList<>();
            for (int r = 1; r <= repetitions; r++) {
                BerthRun b = berthOnce(e, "r" + r, false);
                FloorRun f = floorOnce(e, "r" + r);
                BerthRun l = berthOnce(e, "lag" + r, true);
                berth.add(b.seconds());
                floor.add(f.seconds());
                lags.add(l.lagMs());
                berthStarted.add(b.startedS());
                berthAnswer.add(l.answerS());
                floorStarted.add(f.startedS());
                log("%s r%d: Berth %.2f s (started at %.2f s), floor %.2f s (started at %.2f s); with the lag client: "
                        + "Berth %.2f s, first answer at %.2f s, status lag %.0f ms", e.shortName(), r, b.seconds(),
                        b.startedS(), f.seconds(), f.startedS(), l.seconds(), l.answerS(), l.lagMs());
            }
            allLags.addAll(lags);
            double bm = percentile(berth, 50);
            double fm = percentile(floor, 50);
            out.append(String.format(Locale.ROOT, "| %s (%s) | %.2f / %.2f | %.2f / %.2f | %.2f× | %.0f / %.0f | %d |%n",
                    e.shortName(), e.image, bm, max(berth), fm, max(floor), bm / fm, percentile(lags, 50), max(lags),
                    repetitions));
            notes.add(String.format(Locale.ROOT, "%s: Berth %s s (container started at %s s); floor %s s "
                    + "(container started at %s s); lag runs: first answer at %s s, lag %s ms", e.shortName(), list(berth, "%.2f"),
                    list(berthStarted, "%.2f"), list(floor, "%.2f"), list(floorStarted, "%.2f"),
                    list(berthAnswer, "%.2f"), list(lags, "%.0f")));
        }
        if (!allLags.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%nStatus lag over all engines and runs: median %.0f ms, max %.0f ms "
                    + "(%d runs).%n", percentile(allLags, 50), max(allLags), allLags.size()));
        }
    }

    /**
     * One Berth run: create → Ready event; create → the container started (Docker's StartedAt); create → the client's
     * first answer; the status lag (ms).
     */
    record BerthRun(double seconds, double startedS, double answerS, double lagMs) {
    }

    /** One floor run: volume create → check passes; → the container started (Docker's StartedAt). */
    record FloorRun(double seconds, double startedS) {
    }

    /**
     * One database through Berth. With {@code lagClient}, the client of the lag measurement polls it meanwhile (its
     * execs load the container and the host, so time to Ready is taken from the runs without it).
     */
    private BerthRun berthOnce(Engine e, String run, boolean lagClient) throws Exception {
        String name = e.shortName() + "-" + run + "-" + (++serial);
        StandaloneDatabase db = database(name, e, "h1");
        Client client = new Client(local.get(1), e);
        if (lagClient) {
            client.start();
        }
        long wall0 = System.currentTimeMillis();
        long t0 = System.nanoTime();
        StandaloneDatabase created = t.client.resource(db).create();
        client.uid = created.getMetadata().getUid();
        waitFor(name + " Ready", READY_TIMEOUT, () -> readyNanos.containsKey(name));
        double seconds = (readyNanos.get(name) - t0) / 1e9;
        double lag = Double.NaN;
        double answer = Double.NaN;
        if (lagClient) {
            waitFor(name + ": the client's first answer", Duration.ofSeconds(30), () -> client.firstAnswerMs.get() > 0);
            client.stop();
            lag = readyWallMs.get(name) - client.firstAnswerMs.get();
            answer = (client.firstAnswerMs.get() - wall0) / 1e3;
        }
        String id = local.get(1).listContainersCmd().withLabelFilter(Map.of(DesiredDatabase.LABEL_DATABASE,
                created.getMetadata().getUid())).exec().get(0).getId();
        double started = (startedAtMs(local.get(1), id) - wall0) / 1e3;
        delete(List.of(name));
        return new BerthRun(seconds, started, answer, lag);
    }

    /** The StandaloneDatabase {@code name} of engine {@code e} on Server {@code server}: the bench's login, Delete. */
    private static StandaloneDatabase database(String name, Engine e, String server) {
        StandaloneDatabase db = new StandaloneDatabase();
        db.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef(server));
        spec.setEngine(e.engine);
        spec.setImage(e.image);
        spec.setCredentialsSecretRef(new LocalRef("bench-login"));
        spec.getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Delete);
        db.setSpec(spec);
        return db;
    }

    private DatabaseLogin login(Engine e) {
        DatabaseEngine engine = DatabaseEngine.of(e.engine);
        String user = engine.namedUsers() ? "bench" : engine.username(null);
        return new DatabaseLogin(user, password, engine.database(null, user));
    }

    /** Deletes the databases and waits until they are gone from the API server (their containers and volumes too). */
    private void delete(List<String> names) throws Exception {
        for (String n : names) {
            t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(n).delete();
        }
        waitFor("deletion of " + names.size() + " databases", READY_TIMEOUT, () -> names.stream().allMatch(n ->
                t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(n).get() == null));
    }

    /**
     * The client of the lag measurement: every 100 ms, finds the database's running container on host 1 (by its
     * label, through the local socket) and runs the readiness check in it; the wall-clock ms of the first exit 0.
     */
    private final class Client implements Runnable {
        final DockerClient docker;
        final ReadinessCheck check;
        final AtomicLong firstAnswerMs = new AtomicLong();
        volatile String uid;
        volatile String id;
        private volatile boolean stopped;
        private Thread thread;

        Client(DockerClient docker, Engine e) {
            this.docker = docker;
            this.check = DatabaseEngine.of(e.engine).readiness(login(e));
        }

        void start() {
            thread = new Thread(this, "bench-client");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join();
        }

        @Override
        public void run() {
            while (!stopped && firstAnswerMs.get() == 0) {
                long next = System.currentTimeMillis() + POLL_MS;
                try {
                    if (id == null && uid != null) {
                        id = docker.listContainersCmd().withLabelFilter(Map.of(DesiredDatabase.LABEL_DATABASE, uid))
                                .exec().stream().findFirst().map(Container::getId).orElse(null);
                    }
                    if (id != null && answers(docker, id, check)) {
                        firstAnswerMs.compareAndSet(0, System.currentTimeMillis());
                    }
                } catch (RuntimeException ex) {
                    // not there or not running yet: the next poll sees
                }
                sleepUntil(next);
            }
        }
    }

    /** The floor: the same container on a fresh volume, by docker-java on host 1's local socket, polled every 100 ms. */
    private FloorRun floorOnce(Engine e, String run) throws Exception {
        DockerClient docker = local.get(1);
        StandaloneDatabase db = database("floor-" + e.shortName() + "-" + run + "-" + (++serial), e, "h1");
        db.getMetadata().setUid(UUID.randomUUID().toString());
        db.getMetadata().setGeneration(1L);
        DesiredDatabase desired = DesiredDatabase.compute(db, login(e), NETWORK);
        ContainerSpec spec = desired.container();
        long wall0 = System.currentTimeMillis();
        long t0 = System.nanoTime();
        docker.createVolumeCmd().withName(desired.volume()).withLabels(Map.of(FLOOR_LABEL, FLOOR_VALUE)).exec();
        String id = create(docker, spec);
        docker.startContainerCmd(id).exec();
        long deadline = t0 + READY_TIMEOUT.toNanos();
        while (true) {
            long next = System.currentTimeMillis() + POLL_MS;
            if (answers(docker, id, desired.readiness())) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("floor: " + spec.name() + " never passed its readiness check");
            }
            sleepUntil(next);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double started = (startedAtMs(docker, id) - wall0) / 1e3;
        sweepFloor();
        return new FloorRun(seconds, started);
    }

    /** As SshDockerHost.createContainer maps a ContainerSpec (what a database container uses), plus the bench label. */
    private static String create(DockerClient docker, ContainerSpec spec) {
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        labels.put(FLOOR_LABEL, FLOOR_VALUE);
        CreateContainerCmd cmd = docker.createContainerCmd(spec.image()).withName(spec.name()).withLabels(labels)
                .withEnv(spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        if (!spec.command().isEmpty()) {
            cmd.withCmd(spec.command());
        }
        if (spec.entrypoint() != null) {
            cmd.withEntrypoint(spec.entrypoint());
        }
        ContainerSpec.Health h = spec.health();
        if (h != null) {
            cmd.withHealthcheck(new com.github.dockerjava.api.model.HealthCheck().withTest(h.test())
                    .withInterval(h.interval().toNanos()).withTimeout(h.timeout().toNanos())
                    .withRetries(h.retries()).withStartPeriod(h.startPeriod().toNanos()));
        }
        if (spec.stop() != null) {
            cmd.withStopSignal(spec.stop().signal()).withStopTimeout((int) spec.stop().grace().toSeconds());
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
        host.withMounts(spec.mounts().stream().map(m -> new Mount().withType(m.volume() ? MountType.VOLUME
                : MountType.BIND).withSource(m.source()).withTarget(m.target()).withReadOnly(m.readOnly())).toList());
        if (spec.restartPolicy() != null) {
            host.withRestartPolicy(RestartPolicy.parse(spec.restartPolicy()));
        }
        return cmd.withHostConfig(host).exec().getId();
    }

    /** When Docker says the container started (wall-clock ms; the hosts' dockerd share this machine's clock). */
    private static long startedAtMs(DockerClient docker, String id) {
        return java.time.Instant.parse(docker.inspectContainerCmd(id).exec().getState().getStartedAt()).toEpochMilli();
    }

    /** The readiness check by docker exec (its password only in the exec's environment): exit 0 or not. */
    private static boolean answers(DockerClient docker, String id, ReadinessCheck check) {
        try {
            String exec = docker.execCreateCmd(id).withCmd(check.command().toArray(String[]::new))
                    .withEnv(check.envEntries()).withAttachStdout(true).withAttachStderr(true).exec().getId();
            docker.execStartCmd(exec).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion(15, TimeUnit.SECONDS);
            Long code = docker.inspectExecCmd(exec).exec().getExitCodeLong();
            return code != null && code == 0;
        } catch (ConflictException | NotFoundException notRunning) {
            return false;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    // --- 3. many Redis databases at once over both hosts ------------------------------------------------------------

    private void many() throws Exception {
        Engine e = Engine.REDIS_7;
        if (!present(e)) {
            out.append("\n").append(many).append(" Redis databases: ").append(e.image).append(" not on the bed: skipped\n");
            return;
        }
        MeterRegistry registry = operator.metrics().registry();
        Map<String, Double> openedBefore = byHost(registry, "berth.ssh.connections.opened");
        Sampler sampler = new Sampler(t.bed.hosts().subList(0, 2));
        List<String> names = new ArrayList<>();
        sampler.start();
        long t0 = System.nanoTime();
        for (int i = 0; i < many; i++) {
            String name = "many-" + i + "-" + (++serial);
            names.add(name);
            t.client.resource(database(name, e, "h" + (i % 2 + 1))).create();
        }
        double createdIn = (System.nanoTime() - t0) / 1e9;
        long wall0 = System.currentTimeMillis() - Math.round(createdIn * 1000);
        waitFor(many + " Redis Ready", MANY_TIMEOUT, () -> names.stream().allMatch(readyNanos::containsKey));
        long last = names.stream().mapToLong(readyNanos::get).max().orElseThrow();
        sampler.stop();
        double wall = (last - t0) / 1e9;
        List<Double> started = new ArrayList<>();
        List<Double> startedToReady = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String uid = t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(names.get(i)).get()
                    .getMetadata().getUid();
            DockerClient docker = local.get(i % 2 + 1);
            long at = startedAtMs(docker, docker.listContainersCmd().withLabelFilter(
                    Map.of(DesiredDatabase.LABEL_DATABASE, uid)).exec().get(0).getId());
            started.add((at - wall0) / 1e3);
            startedToReady.add((readyWallMs.get(names.get(i)) - at) / 1e3);
        }
        List<Double> each = names.stream().map(n -> (readyNanos.get(n) - t0) / 1e9).toList();
        Map<String, Double> opened = byHost(registry, "berth.ssh.connections.opened");
        opened.replaceAll((h, v) -> v - openedBefore.getOrDefault(h, 0.0));
        log("many: %d Ready in %.2f s", many, wall);
        out.append(String.format(Locale.ROOT, "%n| Redis databases at once (2 hosts) | all Ready (s) | per database "
                + "p50 / p95 (s) | JVM RSS peak (MiB) | heap used peak (MiB) | SSH connections opened during the run "
                + "(Berth's counter, per host) | ESTABLISHED TCP to each host's sshd, peak (/proc/net/tcp) |%n"
                + "|---:|---:|---:|---:|---:|---|---|%n| %d | %.2f | %.2f / %.2f | %.0f | %.0f | %s | %s |%n", many, wall,
                percentile(each, 50), percentile(each, 95), sampler.peakRss / 1024.0, sampler.peakHeap / 1048576.0,
                opened.entrySet().stream().map(x -> x.getKey() + ": " + String.format(Locale.ROOT, "%.0f", x.getValue()))
                        .collect(Collectors.joining(", ")),
                sampler.peakSsh.entrySet().stream().map(x -> "h" + x.getKey() + ": " + x.getValue())
                        .collect(Collectors.joining(", "))));
        notes.add(String.format(Locale.ROOT, "many: containers started (Docker's StartedAt, from the first create): "
                + "first %.2f s, p50 %.2f s, last %.2f s; container started → Ready event: p50 %.2f s, p95 %.2f s, max "
                + "%.2f s", percentile(started, 0), percentile(started, 50), max(started),
                percentile(startedToReady, 50), percentile(startedToReady, 95), max(startedToReady)));
        notes.add(String.format(Locale.ROOT, "many: %d created in the API server in %.2f s; Berth's SSH connections "
                + "opened since the operator started (per host): %s", many, createdIn,
                byHost(registry, "berth.ssh.connections.opened")));
        long d0 = System.nanoTime();
        delete(names);
        log("many: deleted in %.1f s", (System.nanoTime() - d0) / 1e9);
    }

    /** Every 100 ms: VmRSS, heap used, and ESTABLISHED TCP connections to each host's sshd (peaks). */
    private static final class Sampler implements Runnable {
        final List<TestBed.Host> hosts;
        volatile long peakRss;
        volatile long peakHeap;
        final Map<Integer, Integer> peakSsh = new ConcurrentHashMap<>();
        private volatile boolean stopped;
        private Thread thread;

        Sampler(List<TestBed.Host> hosts) {
            this.hosts = hosts;
            hosts.forEach(h -> peakSsh.put(h.index(), 0));
        }

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
            var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
            while (!stopped) {
                long next = System.currentTimeMillis() + POLL_MS;
                peakRss = Math.max(peakRss, vmRssKib());
                peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
                for (TestBed.Host h : hosts) {
                    peakSsh.merge(h.index(), establishedTo(h.address(), h.port()), Math::max);
                }
                sleepUntil(next);
            }
        }
    }

    /**
     * ESTABLISHED TCP connections in this network namespace whose remote end is the IPv4 address:port, in
     * /proc/net/tcp and (Java's sockets are dual-stack: ::ffff:a.b.c.d) /proc/net/tcp6.
     */
    static int establishedTo(String address, int port) {
        String[] octets = address.split("\\.");
        String remote = String.format("%02X%02X%02X%02X:%04X", Integer.parseInt(octets[3]), Integer.parseInt(octets[2]),
                Integer.parseInt(octets[1]), Integer.parseInt(octets[0]), port);
        try {
            int n = 0;
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 3 && f[3].equals("01") && (f[2].equals(remote)
                            || f[2].equals("0000000000000000FFFF0000" + remote))) {
                        n++;
                    }
                }
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    private static Map<String, Double> byHost(MeterRegistry registry, String name) {
        Map<String, Double> m = new TreeMap<>();
        registry.find(name).counters().forEach(c -> m.merge(c.getId().getTag("host"), c.count(), Double::sum));
        return m;
    }

    // --- housekeeping -----------------------------------------------------------------------------------------------

    private boolean present(Engine e) {
        try {
            local.get(1).inspectImageCmd(e.image).exec();
            local.get(2).inspectImageCmd(e.image).exec();
            return true;
        } catch (NotFoundException missing) {
            return false;
        }
    }

    /** Removes the floor's containers and volumes (by the bench label) from both hosts. */
    private void sweepFloor() {
        for (DockerClient d : local.values()) {
            for (Container c : d.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(FLOOR_LABEL, FLOOR_VALUE)).exec()) {
                d.removeContainerCmd(c.getId()).withForce(true).exec();
            }
            var volumes = d.listVolumesCmd().withFilter("label", List.of(FLOOR_LABEL + "=" + FLOOR_VALUE)).exec()
                    .getVolumes();
            if (volumes != null) {
                volumes.forEach(v -> d.removeVolumeCmd(v.getName()).exec());
            }
        }
    }

    private void close() {
        out.append("\nEach run, in order:\n");
        notes.forEach(n -> out.append("- ").append(n).append('\n'));
        try {
            if (informer != null) {
                informer.close();
            }
            List<String> left = t.client.resources(StandaloneDatabase.class).inNamespace(NS).list().getItems().stream()
                    .map(d -> d.getMetadata().getName()).toList();
            if (!left.isEmpty()) {
                delete(left);
            }
        } catch (Exception e) {
            System.err.println("deleting the databases left failed: " + e);
        } finally {
            if (!local.isEmpty()) {
                sweepFloor();
            }
            t.close();
        }
    }

    // --- small things -----------------------------------------------------------------------------------------------

    static boolean ready(StandaloneDatabase d) {
        return d != null && d.getStatus() != null && d.getStatus().condition(Berth.CONDITION_READY)
                .map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static String list(List<Double> values, String format) {
        return values.stream().map(v -> String.format(Locale.ROOT, format, v)).collect(Collectors.joining(", "));
    }

    private static void sleepUntil(long wallMs) {
        long wait = wallMs - System.currentTimeMillis();
        if (wait > 0) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
            Thread.sleep(20);
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf("[bench-databases] " + format + "%n", args);
    }
}
