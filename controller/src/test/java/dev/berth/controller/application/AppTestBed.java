package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.berth.controller.local.LocalApiServer;
import dev.berth.controller.mirror.MirrorDatabase;
import dev.berth.controller.mirror.PostgresMirror;
import dev.berth.controller.testbed.TestBed;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jooq.Record;

/**
 * What the Application ITs stand on: the test bed's real hosts (sshd + dockerd), the in-process API server, the
 * real mirror (embedded PostgreSQL), the test bed's Redis, and operators started and stopped against them. The
 * Docker CLI on each host's local socket plays the person at the host: it looks, kills and polls (never the
 * operator's path, which goes through SSH).
 */
public final class AppTestBed implements AutoCloseable {
    public static final String NS = "test";
    /** Label on the helper containers the tests start (clients, pollers), to clean them up. */
    static final String IT_LABEL = "berth-it=application";
    /** Reaches ports published on the hosts (see {@link #hostHttpGet}). */
    private static final HttpClient HOST_HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public final TestBed bed = TestBed.get();
    public final LocalApiServer api = LocalApiServer.start();
    public final KubernetesClient client = api.newClient();
    final AtomicInteger statusWrites = new AtomicInteger();
    public final MirrorDatabase database;
    private final List<BerthOperator> operators = new ArrayList<>();
    private final List<PostgresMirror> mirrors = new ArrayList<>();

    public AppTestBed(Path dataDir) {
        api.onRequest(r -> {
            String path = r.getPath() == null ? "" : r.getPath().split("\\?")[0];
            if (("PATCH".equals(r.getMethod()) || "PUT".equals(r.getMethod())) && path.endsWith("/status")
                    && path.contains("/applications/")) {
                statusWrites.incrementAndGet();
            }
        });
        database = MirrorDatabase.open(null, null, null, dataDir.resolve("pgdata"));
    }

    public BerthOperator startOperator() {
        return startOperator(Map.of());
    }

    /** Edits {@code kind} {@code name} in the test namespace, again when the operator's status write came in between (409). */
    public <T extends io.fabric8.kubernetes.api.model.HasMetadata> T edit(Class<T> kind, String name,
            java.util.function.Consumer<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.resources(kind).inNamespace(NS).withName(name).edit(r -> {
                    change.accept(r);
                    return r;
                });
            } catch (io.fabric8.kubernetes.client.KubernetesClientException ex) {
                if (ex.getCode() != 409 || attempt == 5) {
                    throw ex;
                }
            }
        }
    }

    /** An operator whose environment also has {@code env} (e.g. BERTH_BACKUP_ON_TIME). */
    public BerthOperator startOperator(Map<String, String> env) {
        return startOperator(env, java.time.Clock.systemUTC());
    }

    /** An operator whose reconcilers read {@code clock} (e.g. one set ahead, so that a schedule's slot comes soon). */
    public BerthOperator startOperator(Map<String, String> env, java.time.Clock clock) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("BERTH_HTTP_PORT", "0", "BERTH_REDIS_URL",
                bed.redisUrl(), "BERTH_APP_RECHECK_INTERVAL", "3s", "BERTH_SERVER_CHECK_INTERVAL", "30s"));
        all.putAll(env);
        BerthConfig config = BerthConfig.from(all);
        PostgresMirror mirror = new PostgresMirror(database);
        mirrors.add(mirror);
        BerthOperator operator = new BerthOperator(config, operatorClient(), mirror, Main.mirrorCheck(database, mirror),
                List.of(mirror), clock);
        operators.add(operator);
        operator.start();
        return operator;
    }

    /** Application name → text: the next status write to that Application whose body contains the text fails. */
    private final Map<String, String> refusedStatusWrites = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The operator's next status write to Application {@code name} that contains {@code text} fails (HTTP 404: it is
     * sent to a namespace that does not exist), as when the API server cannot be reached at that moment: the look
     * fails after it acted, and JOSDK retries it from the status before.
     */
    void refuseNextStatusWrite(String name, String text) {
        refusedStatusWrites.put(name, text);
    }

    boolean statusWriteRefused(String name) {
        return !refusedStatusWrites.containsKey(name);
    }

    private KubernetesClient operatorClient() {
        io.fabric8.kubernetes.client.http.Interceptor refuse = new io.fabric8.kubernetes.client.http.Interceptor() {
            @Override
            public void before(io.fabric8.kubernetes.client.http.BasicBuilder builder,
                    io.fabric8.kubernetes.client.http.HttpRequest request, RequestTags tags) {
                String path = request.uri().getPath();
                if (!"PATCH".equals(request.method()) || !path.endsWith("/status") || !path.contains("/applications/")) {
                    return;
                }
                String name = path.substring(0, path.length() - "/status".length());
                name = name.substring(name.lastIndexOf('/') + 1);
                String text = refusedStatusWrites.get(name);
                String body = request.bodyString();
                if (text != null && body != null && body.contains(text) && refusedStatusWrites.remove(name, text)) {
                    builder.uri(URI.create(request.uri().toString().replace("/namespaces/" + NS + "/", "/namespaces/refused/")));
                }
            }
        };
        return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientFactory(new io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("refuse-status-write", refuse))
                .build();
    }

    /** A Server for test-bed host {@code i} (pinned host key) and its key Secret. */
    public Server server(String name, int i) {
        return server(name, i, bed.host(i).port(), bed.host(i).hostKeyFingerprint());
    }

    /** A Server for test-bed host {@code i} on another sshd port (a test-only sshd, see TestBed#sshd). */
    Server server(String name, int i, int port, String fingerprint) {
        TestBed.Host host = bed.host(i);
        Secret key = new SecretBuilder().withNewMetadata().withName(name + "-key").withNamespace(NS).endMetadata()
                .withType("kubernetes.io/ssh-auth")
                .withData(Map.of("ssh-privatekey", Base64.getEncoder().encodeToString(host.privateKey())))
                .build();
        client.resource(key).createOr(r -> r.update());
        Server s = new Server();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        ServerSpec spec = new ServerSpec();
        spec.setHost(host.address());
        spec.setPort(port);
        spec.setUser(host.user());
        spec.setPrivateKeySecretRef(new SecretKeyRef(name + "-key", null));
        ServerSpec.HostKey hostKey = new ServerSpec.HostKey();
        hostKey.setPolicy(ServerSpec.HostKeyPolicy.Pinned);
        hostKey.setFingerprint(fingerprint);
        spec.setHostKey(hostKey);
        s.setSpec(spec);
        return client.resource(s).create();
    }

    /**
     * An Application serving {@code /www/version} = $VERSION with busybox httpd on 8080; healthy once it has run for
     * 1 s (no Docker health check), 90 s to get there (the test bed's 2 cores are shared: a loaded host is slow); a
     * container that goes drains for 1 s.
     */
    static Application app(String name, String server, String version) {
        Application a = new Application();
        a.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        ApplicationSpec spec = new ApplicationSpec();
        spec.setServerRef(new LocalRef(server));
        spec.setImage("berth-test/httpd:1");
        spec.setCommand(List.of("/bin/sh", "-c"));
        // httpd runs under a shell that exits on SIGTERM (httpd as PID 1 would ignore it and wait out the grace period).
        spec.setArgs(List.of("echo \"booting $VERSION\"; echo \"$VERSION\" > /www/version; trap 'exit 0' TERM; "
                + "httpd -f -p 8080 -h /www & wait"));
        ApplicationSpec.EnvVar v = new ApplicationSpec.EnvVar();
        v.setName("VERSION");
        v.setValue(version);
        spec.setEnv(new ArrayList<>(List.of(v)));
        ApplicationSpec.PortMapping port = new ApplicationSpec.PortMapping();
        port.setContainerPort(8080);
        spec.setPorts(List.of(port));
        dev.berth.api.v1alpha1.HealthCheck check = new dev.berth.api.v1alpha1.HealthCheck();
        check.setStartPeriod("1s");
        spec.setHealthCheck(check);
        spec.getRollout().setHealthTimeout("90s");
        spec.getRollout().setDrainSeconds(1);
        a.setSpec(spec);
        return a;
    }

    Application fetch(String name) {
        return client.resources(Application.class).inNamespace(NS).withName(name).get();
    }

    static Optional<Condition> condition(Application a, String type) {
        return a == null || a.getStatus() == null ? Optional.empty() : a.getStatus().condition(type);
    }

    static boolean ready(Application a) {
        return condition(a, Berth.CONDITION_READY).map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
    }

    // --- the host, as a person with the Docker CLI sees it -------------------------------------------------------

    /** Runs the Docker CLI on host {@code i}'s local socket; returns stdout (fails the test on a non-zero exit). */
    public String docker(int i, String... args) {
        Result r = dockerResult(i, args);
        assertThat(r.exit).as("docker %s: %s", String.join(" ", args), r.err).isZero();
        return r.out;
    }

    public record Result(int exit, String out, String err) {
    }

    public Result dockerResult(int i, String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", bed.host(i).localDockerHost()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            // Outputs are small; read both fully (stdout first) then wait.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("docker " + String.join(" ", args) + " timed out");
            }
            return new Result(p.exitValue(), out.strip(), err.strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Containers of the Application on host {@code i}: "id name state hash" lines, sorted by name. */
    List<String[]> containers(int i, Application app) {
        String out = docker(i, "ps", "-a", "--filter", "label=" + Berth.LABEL_APP + "=" + app.getMetadata().getUid(),
                "--format", "{{.ID}} {{.Names}} {{.State}} {{.Label \"" + Berth.LABEL_CONFIG_HASH + "\"}}");
        return out.isBlank() ? List.of() : out.lines().map(l -> l.split(" ")).sorted((a, b) -> a[1].compareTo(b[1]))
                .collect(Collectors.toList());
    }

    /** GET http://alias:8080/path from a throwaway client container on the Berth network of host {@code i}. */
    Result httpGet(int i, String alias, String path) {
        return dockerResult(i, "run", "--rm", "--label", IT_LABEL, "--network", "berth", "berth-test/httpd:1",
                "wget", "-q", "-O", "-", "http://" + alias + ":8080" + path);
    }

    /** Starts a client container polling http://alias:8080/version five times a second; prints FAIL on failure. */
    String startPoller(int i, String alias) {
        return docker(i, "run", "-d", "--label", IT_LABEL, "--network", "berth", "berth-test/httpd:1", "sh", "-c",
                "while true; do wget -q -O - http://" + alias + ":8080/version 2>/dev/null || echo FAIL; sleep 0.2; done");
    }

    /** Removes every container this class's tests left on the hosts: helpers, and the Applications' by label. */
    void sweep(List<Application> apps) {
        for (int i = 1; i <= bed.hostCount(); i++) {
            List<String> ids = new ArrayList<>(List.of(docker(i, "ps", "-aq", "--filter", "label=" + IT_LABEL)
                    .split("\\s+")));
            for (Application a : apps) {
                if (a.getMetadata().getUid() != null) {
                    ids.addAll(List.of(docker(i, "ps", "-aq", "--filter", "label=" + Berth.LABEL_APP + "="
                            + a.getMetadata().getUid()).split("\\s+")));
                }
            }
            ids.removeIf(String::isBlank);
            if (!ids.isEmpty()) {
                List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                rm.addAll(ids);
                dockerResult(i, rm.toArray(String[]::new));
            }
        }
    }

    // --- shared by the Application ITs: the API side, the history, Docker's own record ------------------------

    /** Edits the Application through the API server, as {@code kubectl edit} would. */
    Application edit(String name, Consumer<Application> change) {
        return client.resources(Application.class).inNamespace(NS).withName(name).edit(a -> {
            change.accept(a);
            return a;
        });
    }

    /** Sets $VERSION of an Application made by {@link #app}. */
    static void setVersion(Application a, String version) {
        a.getSpec().getEnv().get(0).setValue(version);
    }

    /**
     * Ready=True with the given generation observed and no rollout in progress (the replaced containers have drained
     * and gone), within {@code wait} (else fails with the Ready condition).
     */
    Application awaitGenerationReady(String name, long generation, Duration wait) {
        try {
            org.awaitility.Awaitility.await().atMost(wait).pollInterval(Duration.ofMillis(200)).until(() -> {
                Application a = fetch(name);
                return ready(a) && a.getStatus().getObservedGeneration() == generation
                        && !condition(a, ApplicationReasons.CONDITION_ROLLING_UPDATE)
                                .map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Application " + name + " not Ready at generation " + generation + " within "
                    + wait.toSeconds() + " s; Ready is " + condition(fetch(name), Berth.CONDITION_READY)
                    .map(c -> c.getStatus() + " (" + c.getReason() + "): " + c.getMessage()).orElse("absent"), e);
        }
        return fetch(name);
    }

    /** The Application's deployment rows, oldest first. */
    org.jooq.Result<Record> deployments(Application app) {
        return database.dsl().fetch("select id, status, image, reason, message, started_at, finished_at "
                + "from application_deployments where application_id = ?::uuid order by queued_at",
                app.getMetadata().getUid());
    }

    /** The stored log lines of one deployment, in order. */
    List<String> deploymentLog(String deploymentId) {
        return database.dsl().fetch("select line from application_deployment_logs where deployment_id = ?::uuid"
                + " order by line_no", deploymentId).getValues(0, String.class);
    }

    /** Kubernetes Events about the named object with the given reason. */
    List<Event> events(String name, String reason) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    /** Reconciles of Applications by this operator that wrote nothing (the idle looks). */
    static double unchangedReconciles(BerthOperator operator) {
        var counter = operator.metrics().registry().find("berth.reconciles").tags("kind", "Application", "result",
                "unchanged").counter();
        return counter == null ? 0 : counter.count();
    }

    /** One Docker event of a container: when (ns since the epoch), what (start, kill, die, stop, destroy…), which. */
    record ContainerEvent(long timeNano, String action, String id) {
    }

    /** Docker's own record of what happened to the Application's containers on host {@code i}, oldest first. */
    List<ContainerEvent> containerEvents(int i, Application app, Instant since, Instant until) {
        String out = docker(i, "events", "--since", since.toString(), "--until", until.toString(),
                "--filter", "type=container",
                "--filter", "label=" + Berth.LABEL_APP + "=" + app.getMetadata().getUid(),
                "--format", "{{.TimeNano}} {{.Actor.ID}} {{.Action}}");
        return out.lines().filter(l -> !l.isBlank()).map(l -> {
            String[] f = l.split(" ", 3);
            return new ContainerEvent(Long.parseLong(f[0]), f[2], f[1]);
        }).sorted(Comparator.comparingLong(ContainerEvent::timeNano)).collect(Collectors.toList());
    }

    /**
     * The most containers that ran at the same time according to {@code events} ({@code start} … {@code die}),
     * counting {@code runningBefore} as running when the events begin.
     */
    static int mostRunningAtOnce(List<String> runningBefore, List<ContainerEvent> events) {
        Set<String> running = new HashSet<>(runningBefore);
        int most = running.size();
        for (ContainerEvent e : events) {
            if ("start".equals(e.action())) {
                running.add(e.id());
            } else if ("die".equals(e.action())) {
                running.remove(e.id());
            }
            most = Math.max(most, running.size());
        }
        return most;
    }

    /**
     * GET http://host-address:port/path from this machine, as a user reaches a port published on host {@code i}
     * (exit 0 and the body on HTTP 200; otherwise the status code or -1, and why).
     */
    Result hostHttpGet(int i, int port, String path) {
        try {
            HttpResponse<String> r = HOST_HTTP.send(HttpRequest.newBuilder(URI.create("http://" + bed.host(i).address() + ":"
                    + port + path)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new Result(0, r.body().strip(), "")
                    : new Result(r.statusCode(), r.body().strip(), "HTTP " + r.statusCode());
        } catch (IOException e) {
            return new Result(-1, "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void stopOperator(BerthOperator operator) {
        operator.close();
        operators.remove(operator);
    }

    public void stopOperators() {
        operators.forEach(BerthOperator::close);
        operators.clear();
    }

    @Override
    public void close() {
        stopOperators();
        client.close();
        api.close();
        database.close();
    }
}
