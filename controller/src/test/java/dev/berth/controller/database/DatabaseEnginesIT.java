package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.HealthCheck;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.Resources;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.application.AppTestBed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every engine with a real server here, run by the whole operator on the test bed, one database per engine through
 * one lifecycle: Ready with the version the engine reports, a client container on the Berth network logs in with the
 * connection Secret and writes and reads a row, the row survives a restart out of band, suspend and resume, and a
 * change of image tag (same major: a new container on the same volume), and deletion with {@code deletionPolicy:
 * Delete} takes the volume.
 *
 * <p>For the engines other than PostgreSQL (which {@link StandaloneDatabaseIT} takes through the same points one test
 * each) the lifecycle goes deeper, each step on the same database: Ready not before a client polling alongside first
 * logs in; the public port answers from the host's network namespace; an idle look makes no Docker and no API write;
 * a bad {@code config} key fails with the engine's log lines and the previous
 * configuration serves its rows again (ClickHouse ignores unknown keys: it runs with one, and a bad value fails
 * instead); MariaDB with too little memory fails the same way; delete with {@code Retain} and re-create under the same
 * name gets the rows and the login back; the volume removed out of band gives {@code DataVolumeMissing} with nothing
 * started. An engine whose image is not on the bed skips (load them with {@code scripts/testbed.sh images NAME...};
 * {@code scripts/test.sh} loads them all).
 */
class DatabaseEnginesIT {
    static final Duration WAIT = Duration.ofSeconds(240);
    static final String NS = AppTestBed.NS;
    static final String IT_LABEL = "berth-it=database-engines";
    /** Longer than the operator's periodic re-check in the test bed (3 s): at least one look happens in it. */
    static final Duration ONE_LOOK = Duration.ofSeconds(4);

    enum Engine {
        POSTGRES_15("berth-test/postgres:15", StandaloneDatabaseSpec.Engine.POSTGRESQL, "max_connections", "50", "15.",
                null, null, false),
        MYSQL_9("berth-test/mysql:9", StandaloneDatabaseSpec.Engine.MYSQL, "max_connections", "50", "9.",
                "no-such-setting", "unknown variable", false),
        MARIADB_10("berth-test/mariadb:10.11", StandaloneDatabaseSpec.Engine.MARIADB, "max_connections", "50", "10.11",
                "no-such-setting", "unknown variable", false),
        REDIS_7("berth-test/redis:7.0", StandaloneDatabaseSpec.Engine.REDIS, "maxmemory", "64mb", "7.",
                "no-such-setting", "Bad directive", false),
        VALKEY_9("berth-test/valkey:9", StandaloneDatabaseSpec.Engine.VALKEY, "maxmemory", "64mb", "9.",
                "no-such-setting", "Bad directive", false),
        // ClickHouse's settings are paths in its XML configuration: an unknown one is ignored, a bad value fails.
        CLICKHOUSE_18("berth-test/clickhouse:18.16", StandaloneDatabaseSpec.Engine.CLICKHOUSE, "max_connections", "100",
                "18.16", "no_such_setting", "Not a valid unsigned integer", true);

        final String image;
        final StandaloneDatabaseSpec.Engine engine;
        final String configKey;
        final String configValue;
        final String versionPrefix;
        /** A key the engine does not know; null: not part of this engine's lifecycle here. */
        final String unknownKey;
        /** What the engine's log says about the bad setting. */
        final String failureLog;
        final boolean ignoresUnknownKeys;

        Engine(String image, StandaloneDatabaseSpec.Engine engine, String configKey, String configValue,
                String versionPrefix, String unknownKey, String failureLog, boolean ignoresUnknownKeys) {
            this.image = image;
            this.engine = engine;
            this.configKey = configKey;
            this.configValue = configValue;
            this.versionPrefix = versionPrefix;
            this.unknownKey = unknownKey;
            this.failureLog = failureLog;
            this.ignoresUnknownKeys = ignoresUnknownKeys;
        }

        boolean sql() {
            return engine != StandaloneDatabaseSpec.Engine.REDIS && engine != StandaloneDatabaseSpec.Engine.VALKEY;
        }

        /** The whole lifecycle; PostgreSQL's deeper points are in StandaloneDatabaseIT. */
        boolean deep() {
            return unknownKey != null;
        }

        int publicPort() {
            return 24300 + ordinal();
        }
    }

    // One operator, API server and mirror for all engines (each engine's database has names of its own): starting
    // them per engine cost ~10 s each.
    @TempDir
    static Path dataDir;
    static AppTestBed t;
    /** Writes (anything but GET) to the API server, by anyone: only the operator writes while the test watches. */
    static final AtomicInteger apiWrites = new AtomicInteger();
    final List<StandaloneDatabase> created = new ArrayList<>();
    final List<String> tags = new ArrayList<>();

    @BeforeAll
    static void operator() {
        t = new AppTestBed(dataDir);
        t.api.onRequest(r -> {
            if (!"GET".equals(r.getMethod())) {
                apiWrites.incrementAndGet();
            }
        });
        t.startOperator();
        t.server("h1", 1);
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            try {
                t.stopOperators();
            } finally {
                t.close();
            }
        }
    }

    /** What a lifecycle left behind when it failed half-way: its database (the operator removes its containers). */
    @AfterEach
    void cleanUp() {
        for (StandaloneDatabase db : created) {
            String name = db.getMetadata().getName();
            if (fetch(name) != null) {
                t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).delete();
                try {
                    await().atMost(Duration.ofSeconds(90)).until(() -> fetch(name) == null);
                } catch (org.awaitility.core.ConditionTimeoutException ignored) {
                    // removed by hand below
                }
            }
        }
        List<String> ids = new ArrayList<>(List.of(t.docker(1, "ps", "-aq", "--filter", "label=" + IT_LABEL)
                .split("\\s+")));
        for (StandaloneDatabase db : created) {
            ids.addAll(allContainers(db));
        }
        ids.removeIf(String::isBlank);
        if (!ids.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            rm.addAll(ids);
            t.dockerResult(1, rm.toArray(String[]::new));
        }
        for (StandaloneDatabase db : created) {
            t.dockerResult(1, "volume", "rm", "-f", DesiredDatabase.volumeName(db));
        }
        for (String tag : tags) {
            t.dockerResult(1, "rmi", tag);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void runsKeepsItsRowsAcrossRestartsSettingsAndImageChangesAndDeleteTakesTheVolume(Engine e) throws Exception {
        Assumptions.assumeTrue(t.dockerResult(1, "image", "inspect", e.image).exit() == 0,
                e.image + " is not on the bed: scripts/testbed.sh images all");
        String name = "db-" + e.name().toLowerCase().replace('_', '-');
        String poller = null;
        if (e.deep()) {
            // A login the test knows before the database exists (the Secret of the default name, used as it is), so
            // that a client can poll it from before the engine starts.
            String user = DatabaseEngine.of(e.engine).username(null);
            String password = "pw-" + UUID.randomUUID().toString().replace("-", "");
            t.client.resource(new SecretBuilder().withNewMetadata().withName(name + "-credentials").withNamespace(NS)
                    .endMetadata().withData(Map.of("username", b64(user), "password", b64(password))).build()).create();
            poller = startPoller(e, user, password);
        }
        final StandaloneDatabase db = create(spec(e, name, !e.deep()));

        StandaloneDatabase ready = awaitReadyGeneration(name, 1);
        assertThat(ready.getStatus().getEngineVersion()).as("the version the engine reports").startsWith(e.versionPrefix);
        Map<String, String> conn = connection(name);
        if (e.deep()) {
            // Written through the public port, from the host's network namespace; read back on the Berth network.
            client(e, conn, e.sql() ? write(e) : "SET k 42", "host", t.bed.host(1).address(), e.publicPort());
        } else {
            client(e, conn, e.sql() ? write(e) : "SET k 42");
        }
        assertThat(client(e, conn, e.sql() ? "SELECT x FROM t" : "GET k")).contains("42");
        if (e.deep()) {
            readyNotBeforeTheFirstLogin(poller, ready);
            anIdleLookWritesNothing(ready);
        }

        t.docker(1, "restart", ready.getStatus().getContainerId());
        await().atMost(WAIT).ignoreExceptions().until(() -> read(e, db, conn).contains("42"));

        suspendAndResumeKeepTheRows(e, db, conn);
        if (e.deep()) {
            aBadSettingFailsAndThePreviousConfigurationServesAgain(e, db, conn);
        }

        // Another tag of the same major (the same bits here): a new container on the same volume. A deep lifecycle
        // also takes its bad settings out in the same change.
        String retagged = e.image + "-b";
        t.docker(1, "tag", e.image, retagged);
        tags.add(retagged);
        String before = fetch(name).getStatus().getContainerId();
        StandaloneDatabase edited = edit(name, d -> {
            d.getSpec().setImage(retagged);
            d.getSpec().setResources(null);
            d.getSpec().setConfig(new LinkedHashMap<>(Map.of(e.configKey, e.configValue)));
        });
        StandaloneDatabase moved = awaitReadyGeneration(name, edited.getMetadata().getGeneration());
        assertThat(moved.getStatus().getContainerId()).isNotEqualTo(before);
        assertThat(moved.getStatus().getImage()).isEqualTo(retagged);
        assertThat(read(e, db, conn)).contains("42");
        assertThat(t.docker(1, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                + db.getMetadata().getUid()).lines().count()).as("one container, the old one removed").isEqualTo(1);

        String volume = DesiredDatabase.volumeName(db);
        if (e.deep()) {
            StandaloneDatabase again = deleteWithRetainAndCreateAgain(e, db, conn, retagged);
            aVolumeRemovedOutOfBandStartsNothing(again, volume);
            // Suspended, so that nothing starts on the volume made by hand: deletion with Delete takes it.
            edit(name, d -> d.getSpec().setSuspend(true));
            awaitReason(name, Berth.REASON_SUSPENDED);
            t.docker(1, "volume", "create", volume);
        }
        t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).delete();
        await().atMost(WAIT).until(() -> !t.docker(1, "volume", "ls", "-q").lines().toList().contains(volume));
        await().atMost(WAIT).until(() -> fetch(name) == null);
    }

    // --- the deeper points, each on the database of the lifecycle ------------------------------------------------

    /**
     * The engine's client, polling the login every 100 ms until it first works: in the host's network namespace
     * through the public port (the Berth network may not exist yet), from before the database is created.
     */
    String startPoller(Engine e, String user, String password) {
        String database = DatabaseEngine.of(e.engine).database(null, user);
        List<String> args = new ArrayList<>(List.of("run", "-d", "--label", IT_LABEL, "--network", "host"));
        String loop = switch (e.engine) {
            case MYSQL, MARIADB -> {
                args.addAll(List.of("-e", "MYSQL_PWD=" + password));
                yield (e.engine == StandaloneDatabaseSpec.Engine.MYSQL ? "mysql" : "mariadb")
                        + " --protocol=TCP -h \"$0\" -P \"$3\" -u \"$1\" -D \"$2\" -e 'SELECT 1' >/dev/null 2>&1";
            }
            case REDIS, VALKEY -> {
                args.addAll(List.of("-e", "REDISCLI_AUTH=" + password));
                yield "[ \"$(" + (e.engine == StandaloneDatabaseSpec.Engine.REDIS ? "redis-cli" : "valkey-cli")
                        + " -h \"$0\" -p \"$3\" ping 2>/dev/null)\" = PONG ]";
            }
            case CLICKHOUSE -> {
                args.addAll(List.of("-e", "CH_PASSWORD=" + password));
                yield "{ [ -n \"$f\" ] || { f=$(mktemp); printf '<config><user>%s</user><password>%s</password></config>' "
                        + "\"$1\" \"$CH_PASSWORD\" >\"$f\"; }; } && clickhouse-client --config-file \"$f\" --host \"$0\" "
                        + "--port \"$3\" --query 'SELECT 1' >/dev/null 2>&1";
            }
            default -> throw new IllegalArgumentException("no poller for " + e.engine);
        };
        args.addAll(List.of("--entrypoint", "sh", e.image, "-c", "until " + loop + "; do sleep 0.1; done; date +%s",
                t.bed.host(1).address(), user, database, Integer.toString(e.publicPort())));
        return t.docker(1, args.toArray(String[]::new)).strip();
    }

    /** Ready=True (second precision) was not written before the polling client first logged in. */
    void readyNotBeforeTheFirstLogin(String poller, StandaloneDatabase ready) {
        t.docker(1, "wait", poller);
        long firstLogin = Long.parseLong(t.docker(1, "logs", poller).strip());
        Instant readySince = Instant.parse(ready.getStatus().condition(Berth.CONDITION_READY).orElseThrow()
                .getLastTransitionTime());
        assertThat(readySince.getEpochSecond() + 1).as("Ready=True not before the first login")
                .isGreaterThanOrEqualTo(firstLogin);
    }

    /**
     * Once Docker's own health check has passed, a look with nothing changed writes nothing: no API write (status,
     * Secrets, Events), no Docker event but the health check's, and no readiness exec of Berth's (Docker runs its
     * health check as {@code /bin/sh -c …}; Berth's execs are {@code sh -c …} or the client itself).
     */
    void anIdleLookWritesNothing(StandaloneDatabase ready) throws InterruptedException {
        String id = ready.getStatus().getContainerId();
        await().atMost(WAIT).until(() -> "healthy".equals(t.docker(1, "inspect", "--format",
                "{{.State.Health.Status}}", id).strip()));
        Thread.sleep(1_000); // a look that was under way when Docker's check passed
        int writesBefore = apiWrites.get();
        Instant since = Instant.now();
        Thread.sleep(ONE_LOOK.toMillis());
        assertThat(apiWrites.get()).as("API writes while idle").isEqualTo(writesBefore);
        String events = t.docker(1, "events", "--since", since.toString(), "--until", Instant.now().toString(),
                "--filter", "container=" + id, "--format", "{{.Action}}");
        assertThat(events.lines().filter(l -> !l.isBlank() && !l.startsWith("exec_") && !l.startsWith("health_status")))
                .as("Docker events while idle").isEmpty();
        assertThat(events.lines().filter(l -> l.startsWith("exec_create:") && !l.startsWith("exec_create: /bin/sh -c ")))
                .as("no readiness exec of Berth's while idle").isEmpty();
    }

    void suspendAndResumeKeepTheRows(Engine e, StandaloneDatabase db, Map<String, String> conn) {
        String name = db.getMetadata().getName();
        edit(name, d -> d.getSpec().setSuspend(true));
        awaitReason(name, Berth.REASON_SUSPENDED);
        await().atMost(WAIT).until(() -> runningContainers(db).isEmpty());
        assertThat(allContainers(db)).as("the container is kept").hasSize(1);
        StandaloneDatabase resumed = edit(name, d -> d.getSpec().setSuspend(false));
        awaitReadyGeneration(name, resumed.getMetadata().getGeneration());
        assertThat(read(e, db, conn)).contains("42");
    }

    /**
     * A key the engine does not know: DatabaseFailed with the engine's log lines, the previous configuration started
     * again with its rows. ClickHouse ignores unknown keys (it runs with one), so there a bad value is the failure.
     * MariaDB also gets too little memory.
     */
    void aBadSettingFailsAndThePreviousConfigurationServesAgain(Engine e, StandaloneDatabase db,
            Map<String, String> conn) {
        String name = db.getMetadata().getName();
        if (e.ignoresUnknownKeys) {
            StandaloneDatabase edited = edit(name, d -> d.getSpec().getConfig().put(e.unknownKey, "1"));
            awaitReadyGeneration(name, edited.getMetadata().getGeneration());
            assertThat(read(e, db, conn)).contains("42");
            failsAndRollsBack(e, db, conn, d -> d.getSpec().getConfig().put(e.configKey, "abc"), e.failureLog);
        } else {
            failsAndRollsBack(e, db, conn, d -> d.getSpec().getConfig().put(e.unknownKey, "1"), e.failureLog);
        }
        if (e == Engine.MARIADB_10) {
            failsAndRollsBack(e, db, conn, d -> {
                d.getSpec().getConfig().remove(e.unknownKey);
                Resources tight = new Resources();
                tight.setMemory("24m"); // InnoDB alone wants more: the kernel kills mariadbd on start
                d.getSpec().setResources(tight);
            }, "Starting MariaDB");
        }
    }

    void failsAndRollsBack(Engine e, StandaloneDatabase db, Map<String, String> conn, Consumer<StandaloneDatabase> bad,
            String inLog) {
        String name = db.getMetadata().getName();
        StandaloneDatabase edited = edit(name, bad);
        StandaloneDatabase failed = await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> fetch(name),
                d -> d.getStatus() != null && edited.getMetadata().getGeneration().equals(d.getStatus()
                        .getObservedGeneration()) && d.getStatus().condition(Berth.CONDITION_READY)
                                .map(c -> DatabaseReasons.DATABASE_FAILED.equals(c.getReason())).orElse(false));
        String message = failed.getStatus().condition(Berth.CONDITION_READY).orElseThrow().getMessage();
        assertThat(message).contains("Last log lines").contains(inLog)
                .contains("previous configuration was started again").doesNotContain(conn.get("password"));
        await().atMost(WAIT).ignoreExceptions().until(() -> read(e, db, conn).contains("42"));
        assertThat(runningContainers(db)).hasSize(1);
    }

    StandaloneDatabase deleteWithRetainAndCreateAgain(Engine e, StandaloneDatabase db, Map<String, String> conn,
            String image) {
        String name = db.getMetadata().getName();
        t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).delete();
        await().atMost(WAIT).until(() -> fetch(name) == null);
        assertThat(allContainers(db)).isEmpty();
        assertThat(t.docker(1, "volume", "ls", "-q").lines().toList()).contains(DesiredDatabase.volumeName(db));
        StandaloneDatabase again = spec(e, name, true);
        again.getSpec().setImage(image);
        again = create(again);
        awaitReadyGeneration(name, 1);
        Map<String, String> conn2 = connection(name);
        assertThat(conn2.get("password")).isEqualTo(conn.get("password"));
        assertThat(read(e, again, conn2)).contains("42");
        return again;
    }

    /** Suspended, its container and volume removed by hand, then resumed: nothing is started, nothing made. */
    void aVolumeRemovedOutOfBandStartsNothing(StandaloneDatabase db, String volume) throws InterruptedException {
        String name = db.getMetadata().getName();
        edit(name, d -> d.getSpec().setSuspend(true));
        awaitReason(name, Berth.REASON_SUSPENDED);
        await().atMost(WAIT).until(() -> runningContainers(db).isEmpty());
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(allContainers(db));
        t.docker(1, rm.toArray(String[]::new));
        t.docker(1, "volume", "rm", volume);
        edit(name, d -> d.getSpec().setSuspend(false));
        awaitReason(name, DatabaseReasons.DATA_VOLUME_MISSING);
        Thread.sleep(ONE_LOOK.toMillis()); // a periodic look later, still nothing
        assertThat(t.docker(1, "volume", "ls", "-q").lines().toList()).doesNotContain(volume);
        assertThat(allContainers(db)).isEmpty();
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    StandaloneDatabase spec(Engine e, String name, boolean deleteVolume) {
        StandaloneDatabase db = new StandaloneDatabase();
        db.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef("h1"));
        spec.setEngine(e.engine);
        spec.setImage(e.image);
        spec.setConfig(new LinkedHashMap<>(Map.of(e.configKey, e.configValue)));
        if (deleteVolume) {
            spec.getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Delete);
        }
        if (e.deep()) {
            spec.setPublicPort(e.publicPort());
            // Docker's check passes sooner (10 s by default), so the idle look can be watched sooner.
            HealthCheck often = new HealthCheck();
            often.setInterval("2s");
            spec.setHealthCheck(often);
        }
        db.setSpec(spec);
        return db;
    }

    StandaloneDatabase create(StandaloneDatabase db) {
        StandaloneDatabase made = t.client.resource(db).create();
        created.add(made);
        return made;
    }

    StandaloneDatabase fetch(String name) {
        return t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).get();
    }

    /** Edits the spec, again when the operator's status write came in between (409). */
    StandaloneDatabase edit(String name, Consumer<StandaloneDatabase> change) {
        return t.edit(StandaloneDatabase.class, name, change);
    }

    void awaitReason(String name, String reason) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            StandaloneDatabase d = fetch(name);
            return d != null && d.getStatus() != null && d.getStatus().condition(Berth.CONDITION_READY)
                    .map(c -> reason.equals(c.getReason())).orElse(false);
        });
    }

    List<String> runningContainers(StandaloneDatabase db) {
        return t.docker(1, "ps", "-q", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                + db.getMetadata().getUid()).lines().filter(l -> !l.isBlank()).toList();
    }

    List<String> allContainers(StandaloneDatabase db) {
        return t.docker(1, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                + db.getMetadata().getUid()).lines().filter(l -> !l.isBlank()).toList();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    StandaloneDatabase awaitReadyGeneration(String name, long generation) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                StandaloneDatabase d = t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).get();
                return d.getStatus() != null && Long.valueOf(generation).equals(d.getStatus().getObservedGeneration())
                        && d.getStatus().condition(Berth.CONDITION_READY)
                                .map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
            });
        } catch (org.awaitility.core.ConditionTimeoutException ex) {
            StandaloneDatabase d = t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).get();
            throw new AssertionError(name + " not Ready at generation " + generation + ": "
                    + (d.getStatus() == null ? null : d.getStatus().condition(Berth.CONDITION_READY).orElse(null)), ex);
        }
        return t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).get();
    }

    Map<String, String> connection(String name) {
        Secret s = t.client.secrets().inNamespace(NS).withName(name + "-connection").get();
        Map<String, String> out = new LinkedHashMap<>();
        s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return out;
    }

    static String write(Engine e) {
        return e.engine == StandaloneDatabaseSpec.Engine.CLICKHOUSE
                ? "CREATE TABLE t (x Int32) ENGINE = MergeTree ORDER BY x; INSERT INTO t VALUES (42)"
                : "CREATE TABLE t (x INT); INSERT INTO t VALUES (42);";
    }

    /**
     * The row, read over TCP with the connection Secret by the engine's client run with {@code docker exec} in the
     * database's running container (cheaper than a client container each time; the first write and read are by one).
     */
    String read(Engine e, StandaloneDatabase db, Map<String, String> conn) {
        List<String> running = runningContainers(db);
        assertThat(running).as("one running container").hasSize(1);
        Invocation c = invocation(e, conn, e.sql() ? "SELECT x FROM t" : "GET k", conn.get("host"),
                Integer.parseInt(conn.get("port")));
        List<String> args = new ArrayList<>(List.of("exec"));
        args.addAll(c.env());
        args.add(running.get(0));
        args.add(c.program());
        args.addAll(c.args());
        return t.docker(1, args.toArray(String[]::new));
    }

    /** The engine's own client in a container on the Berth network, logged in with the connection Secret. */
    String client(Engine e, Map<String, String> conn, String statement) {
        return client(e, conn, statement, "berth", conn.get("host"), Integer.parseInt(conn.get("port")));
    }

    /** The same on another network ({@code host}: the host's own network namespace) and address. */
    String client(Engine e, Map<String, String> conn, String statement, String network, String host, int port) {
        Invocation c = invocation(e, conn, statement, host, port);
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--label", IT_LABEL, "--network", network));
        args.addAll(c.env());
        args.addAll(List.of("--entrypoint", c.program(), e.image));
        args.addAll(c.args());
        return t.docker(1, args.toArray(String[]::new));
    }

    /** A client call: {@code -e NAME=value} flags (the password there, never in argv), the program, its arguments. */
    record Invocation(List<String> env, String program, List<String> args) {
    }

    static Invocation invocation(Engine e, Map<String, String> conn, String statement, String host, int port) {
        String p = Integer.toString(port);
        return switch (e.engine) {
            case POSTGRESQL -> new Invocation(List.of("-e", "PGPASSWORD=" + conn.get("password")), "psql",
                    List.of("-v", "ON_ERROR_STOP=1", "-h", host, "-p", p, "-U", conn.get("username"), "-d",
                            conn.get("database"), "-tAc", statement));
            case MYSQL, MARIADB -> new Invocation(List.of("-e", "MYSQL_PWD=" + conn.get("password")),
                    e.engine == StandaloneDatabaseSpec.Engine.MYSQL ? "mysql" : "mariadb",
                    List.of("-h", host, "-P", p, "-u", conn.get("username"), "-D", conn.get("database"), "-N", "-e",
                            statement));
            case REDIS, VALKEY -> {
                List<String> args = new ArrayList<>(List.of("-h", host, "-p", p));
                args.addAll(List.of(statement.split(" ")));
                yield new Invocation(List.of("-e", "REDISCLI_AUTH=" + conn.get("password")),
                        e.engine == StandaloneDatabaseSpec.Engine.REDIS ? "redis-cli" : "valkey-cli", args);
            }
            case CLICKHOUSE -> new Invocation(List.of("-e", "CH_USER=" + conn.get("username"), "-e",
                    "CH_PASSWORD=" + conn.get("password")), "sh", List.of("-c",
                    "f=$(mktemp); esc() { printf '%s' \"$1\" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; "
                            + "printf '<config><user>%s</user><password>%s</password></config>' \"$(esc \"$CH_USER\")\" "
                            + "\"$(esc \"$CH_PASSWORD\")\" >\"$f\"; clickhouse-client --config-file \"$f\" --host \"$0\" "
                            + "--port \"$3\" -d \"$1\" -n --query \"$2\"; rc=$?; rm -f \"$f\"; exit $rc", host,
                    conn.get("database"), statement, p));
            default -> throw new IllegalArgumentException("no client for " + e.engine);
        };
    }
}
