package dev.berth.controller.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
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
import dev.berth.controller.host.ServerAccess;
import dev.berth.controller.http.HealthCheck;
import dev.berth.controller.local.LocalApiServer;
import dev.berth.controller.mirror.MirrorDatabase;
import dev.berth.controller.mirror.PostgresMirror;
import dev.berth.controller.testbed.TestBed;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The whole operator on the in-process API server, with the real mirror (embedded PostgreSQL) and the test bed's
 * Redis, checking real hosts: the test bed's sshd + dockerd. Tests that break a host (stop sshd, change its host key)
 * use their own sshd on host 2 on a port of their own, never the shared port-22 one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerReconcilerIT {
    static final String NS = "test";
    static final Duration INTERVAL = Duration.ofSeconds(2);
    // Generous: the test bed shares 2 cores with other builds; under load a first SSH connect has taken 35 s.
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String PASSPHRASE = "BERTH-PASSPHRASE-" + UUID.randomUUID();

    static final List<String> capturedLog = Collections.synchronizedList(new ArrayList<>());
    static final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            capturedLog.add(e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
    };
    static final Map<String, AtomicInteger> statusWrites = new ConcurrentHashMap<>();
    /** Private keys put into Secrets by these tests: none of their lines may show up anywhere. */
    static final List<byte[]> plantedKeys = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    static Path dir;
    static TestBed bed;
    static MirrorDatabase database;
    static DSLContext sql;
    static PostgresMirror mirror;
    static LocalApiServer api;
    static KubernetesClient client;
    static BerthOperator operator;
    static RedisClient redisClient;
    static StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void start() {
        bed = TestBed.get();
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);
        database = MirrorDatabase.open(null, null, null, dir.resolve("pgdata"));
        sql = database.dsl();
        mirror = new PostgresMirror(database);
        api = LocalApiServer.start();
        api.onRequest(r -> {
            String path = r.getPath() == null ? "" : r.getPath().split("\\?")[0];
            if (("PATCH".equals(r.getMethod()) || "PUT".equals(r.getMethod())) && path.contains("/servers/")
                    && path.endsWith("/status")) {
                String name = path.substring(path.indexOf("/servers/") + 9, path.length() - "/status".length());
                statusWrites.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            }
        });
        client = api.newClient();
        BerthConfig config = BerthConfig.from(Map.of("BERTH_HTTP_PORT", "0", "BERTH_SERVER_CHECK_INTERVAL",
                INTERVAL.toSeconds() + "s", "BERTH_REDIS_URL", bed.redisUrl()));
        operator = new BerthOperator(config, api.newClient(), mirror,
                new HealthCheck("mirror", false, () -> Optional.empty()), List.of());
        operator.start();
        redisClient = RedisClient.create(bed.redisUrl());
        redis = redisClient.connect();
    }

    /** Servers of a finished test stop checking their hosts (the Servers go through the finalizer). */
    @AfterEach
    void deleteServersAndApplications() {
        client.resources(Application.class).inNamespace(NS).delete();
        client.resources(Server.class).inNamespace(NS).delete();
        await().atMost(WAIT).until(() -> client.resources(Server.class).inNamespace(NS).list().getItems().isEmpty());
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
        if (redis != null) {
            redis.close();
            redisClient.shutdown();
        }
        if (client != null) {
            client.close();
            api.close();
        }
        if (mirror != null) {
            mirror.close();
            database.close();
        }
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .detachAppender(capture);
    }

    @Test
    @Order(1)
    void readyWithTheHostsOwnFacts_recordedInRedisAndTheMirror_andNoStatusWriteWhileNothingChanges() throws Exception {
        TestBed.Host h1 = bed.host(1);
        String network = "berth-it-" + shortId();
        keySecret("facts-key", h1.privateKey(), null);
        Server created = client.resource(server("facts", h1.address(), h1.port(), "facts-key",
                s -> {
                    s.getHostKey().setPolicy(ServerSpec.HostKeyPolicy.Pinned);
                    s.getHostKey().setFingerprint(h1.hostKeyFingerprint());
                    s.setNetwork(network);
                })).create();
        Server s = awaitReason("facts", "Ready");

        String[] version = docker(1, "version", "--format", "{{.Server.Version}}|{{.Server.Arch}}|{{.Server.APIVersion}}")
                .split("\\|");
        String[] info = docker(1, "info", "--format", "{{.NCPU}}|{{.MemTotal}}").split("\\|");
        assertThat(s.getStatus().getDockerVersion()).isEqualTo(version[0]);
        assertThat(s.getStatus().getArchitecture()).isEqualTo(version[1]);
        assertThat(s.getStatus().getCpus()).isEqualTo(Integer.parseInt(info[0]));
        assertThat(s.getStatus().getMemoryBytes()).isEqualTo(Long.parseLong(info[1]));
        // The fake hosts share this machine's file system: its os-release is theirs.
        assertThat(s.getStatus().getOs()).isEqualTo(OsRelease.describe(Files.readString(Path.of("/etc/os-release"))).orElseThrow());
        assertThat(s.getStatus().getHostKeyFingerprint()).isEqualTo(h1.hostKeyFingerprint());
        assertThat(s.getStatus().getConsecutiveFailures()).isZero();
        assertThat(s.getStatus().getLastCheckTime()).isNotNull();
        assertThat(s.getStatus().getState()).isEqualTo("Ready");
        assertThat(condition(s, Berth.CONDITION_REACHABLE)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo(ServerReasons.CONNECTED);
        });
        assertThat(condition(s, Berth.CONDITION_DOCKER_READY)).satisfies(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getMessage()).contains("API " + version[2]).contains(network);
        });
        assertThat(docker(1, "network", "inspect", network, "--format", "{{index .Labels \"berth.dev/managed\"}}"))
                .isEqualTo("true");
        await().atMost(WAIT).untilAsserted(() -> assertThat(activities(created, "network.create")).hasSize(1));
        assertThat(events("facts")).extracting(Event::getReason).contains("NetworkCreated", "Ready");

        String key = "berth:server:" + created.getMetadata().getUid() + ":status";
        await().atMost(WAIT).untilAsserted(() -> assertThat(redis.sync().get(key)).isNotNull());
        assertThat(redis.sync().get(key)).contains("\"ready\":true").contains(version[0]);
        assertThat(redis.sync().ttl(key)).isBetween(1L, Math.max(30, 3 * INTERVAL.toSeconds()));

        // Checks go on every interval (Redis shows each), but with nothing changed nothing is written.
        int writes = writes("facts");
        String checked = redis.sync().get(key);
        await().pollDelay(Duration.ofMillis(500)).atMost(WAIT)
                .until(() -> !redis.sync().get(key).equals(checked));
        await().during(INTERVAL.multipliedBy(3)).atMost(INTERVAL.multipliedBy(5)).until(() -> writes("facts") == writes);
        assertThat(activities(created, "network.create")).hasSize(1);
    }

    @Test
    @Order(2)
    void aNetworkRemovedOutOfBandIsRecreatedAtTheNextCheck() throws Exception {
        TestBed.Host h1 = bed.host(1);
        String network = "berth-it-" + shortId();
        keySecret("drift-key", h1.privateKey(), null);
        Server created = client.resource(server("drift", h1.address(), h1.port(), "drift-key",
                s -> s.setNetwork(network))).create();
        awaitReason("drift", "Ready");
        docker(1, "network", "rm", network);
        await().atMost(WAIT).untilAsserted(() -> assertThat(activities(created, "network.create")).hasSize(2));
        assertThat(docker(1, "network", "ls", "--filter", "name=" + network, "--format", "{{.Name}}")).isEqualTo(network);
        assertThat(awaitReason("drift", "Ready").getStatus().getConsecutiveFailures()).isZero();
    }

    @Test
    @Order(3)
    void trustOnFirstUsePinsTheKey_aReKeyedHostIsRefusedUntilAPersonSetsTheNewFingerprint() {
        TestBed.Host h2 = bed.host(2);
        int port = 2311;
        String first = bed.sshd("start", 2, port);
        try {
            keySecret("tofu-key", h2.privateKey(), null);
            client.resource(server("tofu", h2.address(), port, "tofu-key", s -> s.setNetwork("berth-it-tofu"))).create();
            Server s = awaitReason("tofu", "Ready");
            assertThat(s.getStatus().getHostKeyFingerprint()).isEqualTo(first);
            assertThat(events("tofu")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("HostKeyRecorded");
                assertThat(e.getMessage()).contains(first).contains("trusted on first use");
            });

            String second = bed.sshd("rekey", 2, port);
            assertThat(second).isNotEqualTo(first);
            Server refused = awaitReason("tofu", ServerReasons.HOST_KEY_MISMATCH);
            assertThat(condition(refused, Berth.CONDITION_READY).getMessage()).contains(first).contains(second)
                    .contains("spec.hostKey.fingerprint");
            assertThat(condition(refused, Berth.CONDITION_REACHABLE).getStatus()).isEqualTo("False");
            assertThat(refused.getStatus().getHostKeyFingerprint()).isEqualTo(first);

            // Refused for good: no further connection attempts, no status writes, however many checks go by.
            double attempts = connectFailures("test/tofu");
            int writes = writes("tofu");
            await().during(INTERVAL.multipliedBy(3)).atMost(INTERVAL.multipliedBy(5))
                    .until(() -> connectFailures("test/tofu") == attempts && writes("tofu") == writes);

            // A person checks the new key and says so in the spec: Berth talks to the host again.
            client.resources(Server.class).inNamespace(NS).withName("tofu").edit(x -> {
                x.getSpec().getHostKey().setFingerprint(second);
                return x;
            });
            await().atMost(WAIT).untilAsserted(() -> {
                Server now = fetch("tofu");
                assertThat(condition(now, Berth.CONDITION_READY).getReason()).isEqualTo("Ready");
                assertThat(now.getStatus().getHostKeyFingerprint()).isEqualTo(second);
            });
        } finally {
            bed.sshd("stop", 2, port);
        }
    }

    @Test
    @Order(4)
    void pinnedWithAnotherHostsFingerprintIsRefused() {
        TestBed.Host h1 = bed.host(1);
        String wrong = bed.host(2).hostKeyFingerprint();
        keySecret("pinned-key", h1.privateKey(), null);
        client.resource(server("pinned", h1.address(), h1.port(), "pinned-key", s -> {
            s.getHostKey().setPolicy(ServerSpec.HostKeyPolicy.Pinned);
            s.getHostKey().setFingerprint(wrong);
        })).create();
        Server s = awaitReason("pinned", ServerReasons.HOST_KEY_MISMATCH);
        assertThat(condition(s, Berth.CONDITION_READY).getMessage()).contains(wrong).contains(h1.hostKeyFingerprint())
                .contains("pinned");
        assertThat(s.getStatus().getHostKeyFingerprint()).isNull();
        assertThat(s.getStatus().getState()).isEqualTo(ServerReasons.HOST_KEY_MISMATCH);
        assertThat(events("pinned")).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo(ServerReasons.HOST_KEY_MISMATCH);
        });
    }

    @Test
    @Order(5)
    void aKeyTheHostDoesNotKnowFailsAuthentication() throws Exception {
        Path keyFile = dir.resolve("stranger");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stranger", "-f", keyFile.toString());
        byte[] stranger = Files.readAllBytes(keyFile);
        keySecret("stranger-key", stranger, PASSPHRASE); // a passphrase for an unencrypted key is simply unused
        TestBed.Host h1 = bed.host(1);
        client.resource(server("stranger", h1.address(), h1.port(), "stranger-key", s -> { })).create();
        Server s = awaitReason("stranger", ServerReasons.AUTHENTICATION_FAILED);
        assertThat(condition(s, Berth.CONDITION_REACHABLE).getReason()).isEqualTo(ServerReasons.AUTHENTICATION_FAILED);
        assertThat(condition(s, Berth.CONDITION_READY).getMessage()).contains(h1.address());
        assertThat(s.getStatus().getConsecutiveFailures()).isPositive();
    }

    @Test
    @Order(6)
    void aMissingSecretSaysSo() {
        TestBed.Host h1 = bed.host(1);
        client.resource(server("keyless", h1.address(), h1.port(), "no-such-secret", s -> { })).create();
        Server s = awaitReason("keyless", ServerReasons.SECRET_NOT_FOUND);
        assertThat(condition(s, Berth.CONDITION_READY).getMessage()).contains("no-such-secret").contains(NS);
    }

    @Test
    @Order(7)
    void aHostThatGoesDownIsUnreachableCountingFailures_andRecoversByItself() {
        TestBed.Host h2 = bed.host(2);
        int port = 2312;
        String fingerprint = bed.sshd("start", 2, port);
        try {
            keySecret("flaky-key", h2.privateKey(), null);
            client.resource(server("flaky", h2.address(), port, "flaky-key", s -> {
                s.getHostKey().setPolicy(ServerSpec.HostKeyPolicy.Pinned);
                s.getHostKey().setFingerprint(fingerprint);
            })).create();
            awaitReason("flaky", "Ready");

            bed.sshd("stop", 2, port);
            Server down = awaitReason("flaky", ServerReasons.UNREACHABLE);
            assertThat(condition(down, Berth.CONDITION_REACHABLE).getStatus()).isEqualTo("False");
            assertThat(condition(down, Berth.CONDITION_DOCKER_READY).getStatus()).isEqualTo("Unknown");
            assertThat(condition(down, Berth.CONDITION_READY).getMessage()).contains(h2.address());
            assertThat(down.getStatus().getDockerVersion()).isNotNull(); // last known facts stay
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(fetch("flaky").getStatus().getConsecutiveFailures()).isGreaterThanOrEqualTo(3));

            bed.sshd("start", 2, port);
            await().atMost(WAIT).untilAsserted(() -> {
                Server back = fetch("flaky");
                assertThat(condition(back, Berth.CONDITION_READY).getReason()).isEqualTo("Ready");
                assertThat(back.getStatus().getConsecutiveFailures()).isZero();
            });
            assertThat(events("flaky")).extracting(Event::getReason).contains(ServerReasons.UNREACHABLE, "Connected");
        } finally {
            bed.sshd("stop", 2, port);
        }
    }

    @Test
    @Order(8)
    void dockerOlderThanMinVersionIsDockerTooOld() {
        TestBed.Host h1 = bed.host(1);
        keySecret("old-key", h1.privateKey(), null);
        client.resource(server("old", h1.address(), h1.port(), "old-key",
                s -> s.getDocker().setMinVersion("99.0"))).create();
        Server s = awaitReason("old", ServerReasons.DOCKER_TOO_OLD);
        assertThat(condition(s, Berth.CONDITION_READY).getMessage()).contains("99.0").contains(s.getStatus().getDockerVersion())
                .contains("spec.docker.minVersion");
        assertThat(condition(s, Berth.CONDITION_REACHABLE).getStatus()).isEqualTo("True");
        assertThat(condition(s, Berth.CONDITION_DOCKER_READY).getReason()).isEqualTo(ServerReasons.DOCKER_TOO_OLD);

        client.resources(Server.class).inNamespace(NS).withName("old").edit(x -> {
            x.getSpec().getDocker().setMinVersion("20.10");
            return x;
        });
        awaitReason("old", "Ready");
    }

    @Test
    @Order(9)
    void suspendStopsEveryOperationOnTheHost() throws Exception {
        TestBed.Host h1 = bed.host(1);
        String network = "berth-it-" + shortId();
        keySecret("quiet-key", h1.privateKey(), null);
        client.resource(server("quiet", h1.address(), h1.port(), "quiet-key", s -> s.setNetwork(network))).create();
        awaitReason("quiet", "Ready");
        client.resources(Server.class).inNamespace(NS).withName("quiet").edit(x -> {
            x.getSpec().setSuspend(true);
            return x;
        });
        awaitReason("quiet", Berth.REASON_SUSPENDED);
        docker(1, "network", "rm", network);
        double opened = connectionsOpened("test/quiet");
        await().during(INTERVAL.multipliedBy(3)).atMost(INTERVAL.multipliedBy(5)).until(() ->
                docker(1, "network", "ls", "--filter", "name=" + network, "--format", "{{.Name}}").isEmpty()
                        && connectionsOpened("test/quiet") == opened);

        client.resources(Server.class).inNamespace(NS).withName("quiet").edit(x -> {
            x.getSpec().setSuspend(false);
            return x;
        });
        awaitReason("quiet", "Ready");
        assertThat(docker(1, "network", "ls", "--filter", "name=" + network, "--format", "{{.Name}}")).isEqualTo(network);
    }

    @Test
    @Order(10)
    void deletingAServerAnApplicationStillUsesWaits_thenGoesWhenTheApplicationGoes() {
        TestBed.Host h1 = bed.host(1);
        keySecret("busy-key", h1.privateKey(), null);
        Server created = client.resource(server("busy", h1.address(), h1.port(), "busy-key", s -> { })).create();
        awaitReason("busy", "Ready");
        Application app = new Application();
        app.setMetadata(new ObjectMetaBuilder().withName("busy-web").withNamespace(NS).build());
        ApplicationSpec spec = new ApplicationSpec();
        spec.setServerRef(new LocalRef("busy"));
        spec.setImage(bed.appImage());
        app.setSpec(spec);
        client.resource(app).create();
        await().atMost(WAIT).until(() -> client.resources(Application.class).inNamespace(NS).withName("busy-web").get()
                .getMetadata().getFinalizers().contains(Berth.FINALIZER));

        client.resources(Server.class).inNamespace(NS).withName("busy").delete();
        Server held = awaitReason("busy", ServerReasons.IN_USE);
        assertThat(condition(held, Berth.CONDITION_READY).getMessage()).contains("Application busy-web");
        assertThat(held.getMetadata().getFinalizers()).contains(Berth.FINALIZER);
        assertThat(held.getStatus().getState()).isEqualTo("Deleting");
        assertThat(events("busy")).anySatisfy(e -> assertThat(e.getReason()).isEqualTo(ServerReasons.IN_USE));

        client.resources(Application.class).inNamespace(NS).withName("busy-web").delete();
        await().atMost(WAIT).until(() -> fetch("busy") == null);
        await().atMost(WAIT).until(() -> sql.fetchValue("select deleted_at from servers where id = ?::uuid",
                created.getMetadata().getUid()) != null);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void noKeyMaterialOrPassphraseInLogsStatusEventsRedisOrMirrorRows() {
        TestBed.Host h1 = bed.host(1);
        keySecret("secretive-key", h1.privateKey(), PASSPHRASE);
        client.resource(server("secretive", h1.address(), h1.port(), "secretive-key", s -> { })).create();
        awaitReason("secretive", "Ready");
        List<String> secrets = new ArrayList<>();
        secrets.add(PASSPHRASE);
        for (byte[] key : plantedKeys) {
            for (String line : new String(key, StandardCharsets.UTF_8).split("\n")) {
                if (line.length() >= 20 && !line.startsWith("-----")) {
                    secrets.add(line.strip());
                }
            }
        }
        assertThat(secrets).hasSizeGreaterThan(3);
        var json = client.getKubernetesSerialization();
        String servers = json.asJson(client.resources(Server.class).inNamespace(NS).list());
        String events = json.asJson(client.v1().events().inNamespace(NS).list());
        List<String> rows = new ArrayList<>();
        for (String table : sql.fetch("select table_name from information_schema.tables where table_schema = 'public'")
                .getValues(0, String.class)) {
            rows.addAll(sql.fetch("select row_to_json(t)::text from " + DSL.quotedName(table) + " t")
                    .getValues(0, String.class));
        }
        List<String> cached = new ArrayList<>();
        for (String key : redis.sync().keys("berth:server:*")) {
            cached.add(redis.sync().get(key));
        }
        assertThat(rows).isNotEmpty();
        assertThat(cached).isNotEmpty();
        List<String> log;
        synchronized (capturedLog) {
            log = new ArrayList<>(capturedLog);
        }
        assertThat(log).isNotEmpty();
        for (String secret : secrets) {
            assertThat(servers).as("Server statuses").doesNotContain(secret);
            assertThat(events).as("Events").doesNotContain(secret);
            assertThat(rows).as("mirror rows").noneMatch(r -> r.contains(secret));
            assertThat(cached).as("Redis").noneMatch(r -> r != null && r.contains(secret));
            assertThat(log).as("log lines").noneMatch(l -> l.contains(secret));
        }
    }

    // --- helpers ----------------------------------------------------------------------------------------------------

    static Server server(String name, String host, int port, String secret, Consumer<ServerSpec> customize) {
        Server s = new Server();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        ServerSpec spec = new ServerSpec();
        spec.setHost(host);
        spec.setPort(port);
        spec.setPrivateKeySecretRef(new SecretKeyRef(secret, null));
        customize.accept(spec);
        s.setSpec(spec);
        return s;
    }

    static void keySecret(String name, byte[] privateKey, String passphrase) {
        plantedKeys.add(privateKey);
        Map<String, String> data = new LinkedHashMap<>();
        data.put(ServerAccess.DEFAULT_KEY, Base64.getEncoder().encodeToString(privateKey));
        if (passphrase != null) {
            data.put(ServerAccess.PASSPHRASE_KEY, Base64.getEncoder().encodeToString(
                    passphrase.getBytes(StandardCharsets.UTF_8)));
        }
        client.resource(new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withType("kubernetes.io/ssh-auth").withData(data).build()).create();
    }

    static Server fetch(String name) {
        return client.resources(Server.class).inNamespace(NS).withName(name).get();
    }

    static Server awaitReason(String name, String reason) {
        await().atMost(WAIT).untilAsserted(() -> {
            Server s = fetch(name);
            assertThat(s).isNotNull();
            assertThat(s.getStatus()).isNotNull();
            assertThat(s.getStatus().condition(Berth.CONDITION_READY)).map(Condition::getReason).contains(reason);
        });
        return fetch(name);
    }

    static Condition condition(Server s, String type) {
        return s.getStatus().condition(type).orElseThrow(() -> new AssertionError("no condition " + type));
    }

    static List<Event> events(String name) {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    static int writes(String name) {
        return statusWrites.computeIfAbsent(name, n -> new AtomicInteger()).get();
    }

    static List<String> activities(Server server, String action) {
        return sql.fetch("select detail from activity_log where resource_id = ?::uuid and action = ?",
                server.getMetadata().getUid(), action).getValues(0, String.class);
    }

    static double connectFailures(String host) {
        return operator.metrics().registry().find("berth.ssh.connections.failed").tag("host", host).counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    static double connectionsOpened(String host) {
        return operator.metrics().registry().find("berth.ssh.connections.opened").tag("host", host).counters()
                .stream().mapToDouble(c -> c.count()).sum();
    }

    /** The Docker CLI on host {@code i}'s own socket (what the host itself reports). */
    static String docker(int i, String... args) {
        List<String> command = new ArrayList<>(List.of("docker", "-H", bed.host(i).localDockerHost()));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
