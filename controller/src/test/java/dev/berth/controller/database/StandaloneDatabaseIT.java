package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.application.AppTestBed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * StandaloneDatabases converged by the whole operator onto the test bed's real Docker hosts through SSH, with the
 * real PostgreSQL 15 and Redis 7 test images (scripts/engine-images.sh): a client container on the Berth network logs
 * in with the connection Secret, rows survive restarts, suspend, image changes and a re-create with Retain; a bad
 * setting fails with the engine's log lines and the previous configuration serves again; a volume removed out of band
 * starts nothing; the public port answers from outside; an idle look writes nothing.
 */
class StandaloneDatabaseIT {
    static final Duration WAIT = Duration.ofSeconds(180);
    static final String PG = "berth-test/postgres:15";
    static final String REDIS = "berth-test/redis:7.0";
    static final String NS = AppTestBed.NS;
    /** Label on the client containers the tests start, to clean them up. */
    static final String IT_LABEL = "berth-it=database";

    @TempDir
    Path dataDir;
    AppTestBed t;
    final List<StandaloneDatabase> created = new ArrayList<>();
    final AtomicInteger statusWrites = new AtomicInteger();

    @BeforeEach
    void bed() {
        t = new AppTestBed(dataDir);
        for (String image : List.of(PG, REDIS)) {
            Assumptions.assumeTrue(t.dockerResult(1, "image", "inspect", image).exit() == 0,
                    image + " is not on the bed: scripts/testbed.sh images postgres15 redis7");
        }
        t.api.onRequest(r -> {
            String path = r.getPath() == null ? "" : r.getPath().split("\\?")[0];
            if (("PATCH".equals(r.getMethod()) || "PUT".equals(r.getMethod())) && path.endsWith("/status")
                    && path.contains("/standalonedatabases/")) {
                statusWrites.incrementAndGet();
            }
        });
    }

    @AfterEach
    void cleanUp() {
        if (t == null) {
            return;
        }
        try {
            t.stopOperators();
            for (int i = 1; i <= t.bed.hostCount(); i++) {
                List<String> ids = new ArrayList<>(List.of(t.docker(i, "ps", "-aq", "--filter", "label=" + IT_LABEL)
                        .split("\\s+")));
                for (StandaloneDatabase db : created) {
                    ids.addAll(List.of(t.docker(i, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE
                            + "=" + db.getMetadata().getUid()).split("\\s+")));
                }
                ids.removeIf(String::isBlank);
                if (!ids.isEmpty()) {
                    List<String> rm = new ArrayList<>(List.of("rm", "-f"));
                    rm.addAll(ids);
                    t.dockerResult(i, rm.toArray(String[]::new));
                }
                for (StandaloneDatabase db : created) {
                    t.dockerResult(i, "volume", "rm", "-f", DesiredDatabase.volumeName(db));
                }
            }
        } finally {
            t.close();
        }
    }

    // --- PostgreSQL -------------------------------------------------------------------------------------------

    @Test
    void postgresIsReadyOnlyOnceItAcceptsTheLoginKeepsItsRowsAndAnIdleLookWritesNothing() throws Exception {
        t.startOperator();
        t.server("h1", 1);
        secret("pg1-login", "app", "pw-" + "x".repeat(32));
        // A client polling alongside: the first second the engine accepted the login, by the host's clock. Each try
        // is cut at 1 s: a name that does not resolve yet (no container) holds Docker's DNS for 20 s, which would
        // make the client see the engine long after it answered.
        String poller = t.docker(1, "run", "-d", "--label", IT_LABEL, "--network", "berth", "-e",
                "PGPASSWORD=pw-" + "x".repeat(32), "-e", "PGCONNECT_TIMEOUT=1", "--entrypoint", "sh", PG, "-c",
                "until timeout 1 psql -h pg1.test.db -U app -d app -tAc 'SELECT 1' >/dev/null 2>&1; do sleep 0.1; "
                        + "done; date +%s");
        StandaloneDatabase db = create(postgres("pg1", "h1", spec -> spec.setCredentialsSecretRef(new LocalRef("pg1-login"))));

        StandaloneDatabase ready = awaitReady("pg1");
        var status = ready.getStatus();
        assertThat(status.getHost()).isEqualTo("pg1.test.db");
        assertThat(status.getPort()).isEqualTo(5432);
        assertThat(status.getEngineVersion()).startsWith("15.");
        assertThat(status.getVolumeName()).isEqualTo("berth-test-pg1-data");
        assertThat(status.getCredentialsSecretName()).isEqualTo("pg1-login");
        assertThat(status.getConnectionSecretName()).isEqualTo("pg1-connection");
        assertThat(status.getState()).isEqualTo("Ready");

        // Ready was not claimed before the engine accepted the login.
        t.docker(1, "wait", poller);
        long firstLogin = Long.parseLong(t.docker(1, "logs", poller).strip());
        Instant readySince = Instant.parse(condition(ready, Berth.CONDITION_READY).orElseThrow().getLastTransitionTime());
        assertThat(readySince.getEpochSecond() + 1).as("Ready=True (second precision) not before the first login")
                .isGreaterThanOrEqualTo(firstLogin);

        Map<String, String> conn = connectionSecret("pg1");
        assertThat(conn).containsKeys("uri", "host", "port", "username", "password", "database", "jdbcUri");
        assertThat(conn.get("uri")).startsWith("postgresql://app:");
        psql(1, conn, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 100)");
        assertThat(psql(1, conn, "SELECT count(*) FROM t")).isEqualTo("100");

        // Restarted out of band: the rows are there.
        t.docker(1, "restart", status.getContainerId());
        await().atMost(WAIT).until(() -> psqlResult(1, conn, "SELECT count(*) FROM t").equals("100"));

        // Idle: with nothing changed, looks (every 3 s) make no status write and no Docker write.
        // Steady state: Docker's own health check has passed since the restart, so looks read it and ask nothing.
        await().atMost(WAIT).until(() -> "healthy".equals(t.docker(1, "inspect", "--format",
                "{{.State.Health.Status}}", status.getContainerId()).strip()));
        awaitReady("pg1");
        Thread.sleep(2_000); // let the look that saw the restart settle
        int writesBefore = statusWrites.get();
        Instant since = Instant.now();
        Thread.sleep(8_000);
        assertThat(statusWrites.get()).as("status writes while idle").isEqualTo(writesBefore);
        String events = t.docker(1, "events", "--since", since.toString(), "--until", Instant.now().toString(),
                "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "=" + db.getMetadata().getUid(),
                "--format", "{{.Action}}");
        assertThat(events.lines().filter(l -> !l.isBlank() && !l.startsWith("exec_") && !l.startsWith("health_status")))
                .as("Docker events while idle").isEmpty();
        // Docker's own health check execs a shell; Berth's readiness check execs psql itself.
        assertThat(events.lines().filter(l -> l.startsWith("exec_create: psql"))).as("no readiness exec while idle")
                .isEmpty();
    }

    @Test
    void aBadSettingFailsWithTheEngineLogAndThePreviousConfigurationServesAgain() throws Exception {
        t.startOperator();
        t.server("h1", 1);
        create(postgres("pg2", "h1", spec -> { }));
        awaitReady("pg2");
        Map<String, String> conn = connectionSecret("pg2");
        psql(1, conn, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 42)");

        edit("pg2", d -> d.getSpec().getConfig().put("no_such_setting", "1"));
        StandaloneDatabase failed = awaitReason("pg2", DatabaseReasons.DATABASE_FAILED);
        String message = condition(failed, Berth.CONDITION_READY).orElseThrow().getMessage();
        assertThat(message).contains("no_such_setting").contains("previous configuration was started again");
        assertThat(message).doesNotContain(conn.get("password"));
        await().atMost(WAIT).until(() -> psqlResult(1, conn, "SELECT count(*) FROM t").equals("42"));
        assertThat(runningContainers(1, failed)).hasSize(1);

        // Fixed: the new settings run on the same volume.
        edit("pg2", d -> {
            d.getSpec().getConfig().remove("no_such_setting");
            d.getSpec().getConfig().put("max_connections", "60");
        });
        awaitGeneration("pg2", 3);
        assertThat(psql(1, conn, "SHOW max_connections")).isEqualTo("60");
        assertThat(psql(1, conn, "SELECT count(*) FROM t")).isEqualTo("42");
    }

    @Test
    void aVolumeRemovedOutOfBandStartsNothingAndDeleteWithRetainKeepsDataAndLogin() throws Exception {
        t.startOperator();
        t.server("h1", 1);
        StandaloneDatabase db = create(postgres("pg3", "h1", spec -> { }));
        awaitReady("pg3");
        Map<String, String> conn = connectionSecret("pg3");
        psql(1, conn, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 7)");

        // Delete with Retain, then the same name again: the data and the login are back.
        t.client.resource(t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName("pg3").get()).delete();
        await().atMost(WAIT).until(() -> t.client.resources(StandaloneDatabase.class).inNamespace(NS)
                .withName("pg3").get() == null);
        assertThat(t.docker(1, "volume", "ls", "-q")).contains("berth-test-pg3-data");
        assertThat(t.client.secrets().inNamespace(NS).withName("pg3-credentials").get()).isNotNull();
        StandaloneDatabase again = create(postgres("pg3", "h1", spec -> { }));
        awaitReady("pg3");
        Map<String, String> conn2 = connectionSecret("pg3");
        assertThat(conn2.get("password")).isEqualTo(conn.get("password"));
        assertThat(psql(1, conn2, "SELECT count(*) FROM t")).isEqualTo("7");

        // The volume goes out of band while no operator runs (container first: Docker keeps a volume in use).
        t.stopOperators();
        t.docker(1, "rm", "-f", fetch("pg3").getStatus().getContainerId());
        t.docker(1, "volume", "rm", "berth-test-pg3-data");
        t.startOperator();
        awaitReason("pg3", DatabaseReasons.DATA_VOLUME_MISSING);
        Thread.sleep(4_000); // a periodic look later, still nothing started
        assertThat(t.docker(1, "volume", "ls", "-q")).doesNotContain("berth-test-pg3-data");
        assertThat(t.docker(1, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                + again.getMetadata().getUid())).isBlank();

        // Delete with Delete: the volume goes too.
        t.docker(1, "volume", "create", "berth-test-pg3-data");
        edit("pg3", d -> d.getSpec().getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Delete));
        awaitReady("pg3");
        t.client.resource(t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName("pg3").get()).delete();
        await().atMost(WAIT).until(() -> !t.docker(1, "volume", "ls", "-q").contains("berth-test-pg3-data"));
        created.add(db);
    }

    @Test
    void thePublicPortAnswersFromOutsideAndATakenPortSaysSo() throws Exception {
        t.startOperator();
        t.server("h1", 1);
        create(postgres("pg4", "h1", spec -> spec.setPublicPort(25432)));
        awaitReady("pg4");
        Map<String, String> conn = connectionSecret("pg4");
        String address = t.bed.host(1).address();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + address + ":25432/" + conn.get("database"),
                conn.get("username"), conn.get("password")); ResultSet r = c.createStatement().executeQuery("SELECT 1")) {
            assertThat(r.next()).isTrue();
        }

        create(postgres("pg5", "h1", spec -> spec.setPublicPort(25432)));
        StandaloneDatabase taken = awaitReason("pg5", DatabaseReasons.PUBLIC_PORT_IN_USE);
        assertThat(condition(taken, Berth.CONDITION_READY).orElseThrow().getMessage()).contains("25432");
        assertThat(awaitReady("pg4").getStatus().getPublicPort()).isEqualTo(25432);
    }

    @Test
    void aPasswordChangedInTheSecretIsTakenByTheEngineAndNoPasswordLeaksAnywhere() throws Exception {
        try (dev.berth.controller.testbed.LogCapture log = new dev.berth.controller.testbed.LogCapture()) {
            t.startOperator();
            t.server("h1", 1);
            String first = "P1-planted-'\"$x <&> " + java.util.UUID.randomUUID();
            String second = "P2-planted-%s `y` " + java.util.UUID.randomUUID();
            secret("pg6-login", "app", first);
            create(postgres("pg6", "h1", spec -> spec.setCredentialsSecretRef(new LocalRef("pg6-login"))));
            awaitReady("pg6");
            psql(1, connectionSecret("pg6"), "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 5)");
            StandaloneDatabase cache = create(database("cache2", "h1", StandaloneDatabaseSpec.Engine.REDIS, REDIS,
                    spec -> { }));
            awaitReady("cache2");
            String generated = connectionSecret("cache2").get("password");

            // A bad setting: the engine's log lines reach status and the log, the password must not.
            edit("pg6", d -> d.getSpec().getConfig().put("no_such_setting", "1"));
            awaitReason("pg6", DatabaseReasons.DATABASE_FAILED);
            edit("pg6", d -> d.getSpec().getConfig().clear());
            awaitGeneration("pg6", 3);

            // The password changes in the Secret: the engine takes it, the connection Secret follows.
            t.client.secrets().inNamespace(NS).withName("pg6-login").edit(s -> {
                s.getData().put("password", b64(second));
                return s;
            });
            await().atMost(WAIT).until(() -> second.equals(connectionSecret("pg6").get("password")));
            Map<String, String> conn = connectionSecret("pg6");
            assertThat(psql(1, conn, "SELECT count(*) FROM t")).isEqualTo("5");
            Map<String, String> old = new LinkedHashMap<>(conn);
            old.put("password", first);
            assertThat(psqlResult(1, old, "SELECT 1")).startsWith("(failed");
            awaitReady("pg6");

            List<String> planted = new ArrayList<>();
            for (String p : List.of(first, second, generated)) {
                planted.add(p);
                planted.add(java.net.URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"));
            }
            var json = t.client.getKubernetesSerialization();
            String statuses = json.asJson(t.client.resources(StandaloneDatabase.class).inNamespace(NS).list());
            String events = json.asJson(t.client.v1().events().inNamespace(NS).list());
            List<String> rows = new ArrayList<>();
            for (String table : t.database.dsl().fetch("select table_name from information_schema.tables "
                    + "where table_schema = 'public'").getValues(0, String.class)) {
                rows.addAll(t.database.dsl().fetch("select row_to_json(t)::text from "
                        + org.jooq.impl.DSL.quotedName(table) + " t").getValues(0, String.class));
            }
            assertThat(rows).anyMatch(r -> r.contains("container.create"));
            List<String> inspected = new ArrayList<>();
            for (StandaloneDatabase d : List.of(fetch("pg6"), fetch("cache2"))) {
                inspected.add(t.docker(1, "inspect", "--format", "{{json .Config.Healthcheck}} {{json .Config.Cmd}} "
                        + "{{json .Config.Entrypoint}} {{json .Args}} {{json .Config.Labels}}", d.getStatus().getContainerId()));
                inspected.add(t.docker(1, "top", d.getStatus().getContainerId(), "-eo", "pid,args"));
            }
            List<String> cached = new ArrayList<>();
            try (var redisClient = io.lettuce.core.RedisClient.create(t.bed.redisUrl());
                    var redis = redisClient.connect()) {
                for (String key : redis.sync().keys("berth:*")) {
                    if ("string".equals(redis.sync().type(key))) {
                        cached.add(redis.sync().get(key));
                    }
                }
            }
            List<String> lines = log.lines();
            assertThat(lines).isNotEmpty();
            for (String secret : planted) {
                assertThat(statuses).as("StandaloneDatabase statuses").doesNotContain(secret);
                assertThat(events).as("Events").doesNotContain(secret);
                assertThat(rows).as("mirror rows").noneMatch(r -> r.contains(secret));
                assertThat(cached).as("Redis").noneMatch(r -> r != null && r.contains(secret));
                assertThat(lines).as("log lines").noneMatch(l -> l.contains(secret));
                assertThat(inspected).as("health check, command lines, labels, processes").noneMatch(l -> l.contains(secret));
            }
            created.add(cache);
        }
    }

    @Test
    void aRemovedContainerComesBackOnItsVolumeAndAMajorUpgradeIsRefusedTouchingNothing() throws Exception {
        t.startOperator();
        t.server("h1", 1);
        StandaloneDatabase db = create(postgres("pg7", "h1", spec -> { }));
        StandaloneDatabase ready = awaitReady("pg7");
        Map<String, String> conn = connectionSecret("pg7");
        psql(1, conn, "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 9)");
        // The key of the password's fingerprint is on the volume Berth made, and only there (not in status or the mirror).
        String key = t.docker(1, "volume", "inspect", "-f", "{{index .Labels \"berth.dev/login-key\"}}",
                ready.getStatus().getVolumeName()).strip();
        assertThat(key).matches("[0-9a-f]{64}");
        assertThat(t.client.getKubernetesSerialization().asJson(ready)).doesNotContain(key);
        assertThat(t.database.dsl().fetch("select * from standalone_databases where name = 'pg7'").formatJSON())
                .doesNotContain(key);

        t.docker(1, "rm", "-f", ready.getStatus().getContainerId());
        await().atMost(WAIT).until(() -> {
            StandaloneDatabase d = fetch("pg7");
            return !ready.getStatus().getContainerId().equals(d.getStatus().getContainerId())
                    && condition(d, Berth.CONDITION_READY).map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
        });
        assertThat(psql(1, conn, "SELECT count(*) FROM t")).isEqualTo("9");
        assertThat(t.client.v1().events().inNamespace(NS).list().getItems()).anyMatch(e ->
                DatabaseReasons.DRIFT_REPAIRED.equals(e.getReason()) && e.getMessage().contains("removed"));

        String running = fetch("pg7").getStatus().getContainerId();
        edit("pg7", d -> d.getSpec().setImage("berth-test/postgres:18"));
        StandaloneDatabase refused = awaitReason("pg7", DatabaseReasons.MAJOR_UPGRADE_NOT_SUPPORTED);
        assertThat(condition(refused, Berth.CONDITION_READY).orElseThrow().getMessage())
                .contains("PostgreSQL 15").contains("PostgreSQL 18");
        assertThat(runningContainers(1, db)).hasSize(1).allMatch(running::startsWith);
        assertThat(psql(1, conn, "SELECT count(*) FROM t")).isEqualTo("9");

        var row = t.database.dsl().fetchOne("select engine, engine_version, connection_host, connection_port "
                + "from standalone_databases where name = 'pg7' and deleted_at is null");
        assertThat(row).isNotNull();
        assertThat(row.get(0, String.class)).isEqualTo("postgresql");
        assertThat(row.get(1, String.class)).startsWith("15.");
        assertThat(row.get(2, String.class)).isEqualTo("pg7.test.db");
        await().atMost(WAIT).untilAsserted(() -> assertThat(t.database.dsl().fetch(
                "select action from activity_log where resource_name = 'pg7' and resource_kind = 'StandaloneDatabase'")
                .getValues(0, String.class)).contains("volume.create", "container.create", "container.start"));
    }

    // --- Redis --------------------------------------------------------------------------------------------------

    @Test
    void redisLogsInWithTheConnectionSecretAndSuspendKeepsTheData() throws Exception {
        t.startOperator();
        t.server("h1", 1);
        StandaloneDatabase db = create(database("cache", "h1", StandaloneDatabaseSpec.Engine.REDIS, REDIS, spec -> { }));
        StandaloneDatabase ready = awaitReady("cache");
        assertThat(ready.getStatus().getEngineVersion()).startsWith("7.");
        Map<String, String> conn = connectionSecret("cache");
        assertThat(conn.get("password")).hasSizeGreaterThanOrEqualTo(32);
        assertThat(conn.get("uri")).startsWith("redis://default:");
        assertThat(redis(1, conn, "SET", "k", "v1")).isEqualTo("OK");
        assertThat(t.dockerResult(1, "run", "--rm", "--label", IT_LABEL, "--network", "berth", "--entrypoint",
                "redis-cli", REDIS, "-h", conn.get("host"), "GET", "k").out()).contains("NOAUTH");

        edit("cache", d -> d.getSpec().setSuspend(true));
        awaitReason("cache", Berth.REASON_SUSPENDED);
        await().atMost(WAIT).until(() -> runningContainers(1, db).isEmpty());
        assertThat(t.docker(1, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                + db.getMetadata().getUid())).isNotBlank();

        edit("cache", d -> d.getSpec().setSuspend(false));
        awaitReady("cache");
        assertThat(redis(1, conn, "GET", "k")).isEqualTo("v1");
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    StandaloneDatabase postgres(String name, String server, Consumer<StandaloneDatabaseSpec> change) {
        return database(name, server, StandaloneDatabaseSpec.Engine.POSTGRESQL, PG, change);
    }

    static StandaloneDatabase database(String name, String server, StandaloneDatabaseSpec.Engine engine, String image,
            Consumer<StandaloneDatabaseSpec> change) {
        StandaloneDatabase db = new StandaloneDatabase();
        db.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef(server));
        spec.setEngine(engine);
        spec.setImage(image);
        spec.setConfig(new LinkedHashMap<>());
        change.accept(spec);
        db.setSpec(spec);
        return db;
    }

    StandaloneDatabase create(StandaloneDatabase db) {
        StandaloneDatabase made = t.client.resource(db).create();
        created.add(made);
        return made;
    }

    void secret(String name, String username, String password) {
        Secret s = new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withData(Map.of("username", b64(username), "password", b64(password))).build();
        t.client.resource(s).create();
    }

    StandaloneDatabase fetch(String name) {
        return t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).get();
    }

    /** Edits the spec, again when the operator's status write came in between (409). */
    StandaloneDatabase edit(String name, Consumer<StandaloneDatabase> change) {
        return t.edit(StandaloneDatabase.class, name, change);
    }

    static Optional<Condition> condition(StandaloneDatabase d, String type) {
        return d == null || d.getStatus() == null ? Optional.empty() : d.getStatus().condition(type);
    }

    StandaloneDatabase awaitReady(String name) {
        return awaitReason(name, "Ready");
    }

    StandaloneDatabase awaitGeneration(String name, long generation) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
            StandaloneDatabase d = fetch(name);
            return d.getStatus() != null && Long.valueOf(generation).equals(d.getStatus().getObservedGeneration())
                    && condition(d, Berth.CONDITION_READY).map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
        });
        return fetch(name);
    }

    StandaloneDatabase awaitReason(String name, String reason) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> condition(fetch(name),
                    Berth.CONDITION_READY).map(c -> reason.equals(c.getReason())).orElse(false));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("StandaloneDatabase " + name + " never had reason " + reason + "; last: "
                    + condition(fetch(name), Berth.CONDITION_READY).orElse(null), e);
        }
        return fetch(name);
    }

    Map<String, String> connectionSecret(String name) {
        Secret s = t.client.secrets().inNamespace(NS).withName(name + "-connection").get();
        assertThat(s).as("connection Secret of " + name).isNotNull();
        Map<String, String> out = new LinkedHashMap<>();
        s.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return out;
    }

    List<String> runningContainers(int i, StandaloneDatabase db) {
        String out = t.docker(i, "ps", "-q", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                + db.getMetadata().getUid());
        return out.isBlank() ? List.of() : out.lines().toList();
    }

    /** psql in a client container on the Berth network, logged in with the connection Secret; fails on an error. */
    String psql(int i, Map<String, String> conn, String sql) {
        return t.docker(i, "run", "--rm", "--label", IT_LABEL, "--network", "berth", "-e", "PGPASSWORD="
                + conn.get("password"), "--entrypoint", "psql", PG, "-v", "ON_ERROR_STOP=1", "-h", conn.get("host"),
                "-U", conn.get("username"), "-d", conn.get("database"), "-tAc", sql).strip();
    }

    String psqlResult(int i, Map<String, String> conn, String sql) {
        AppTestBed.Result r = t.dockerResult(i, "run", "--rm", "--label", IT_LABEL, "--network", "berth", "-e",
                "PGPASSWORD=" + conn.get("password"), "--entrypoint", "psql", PG, "-h", conn.get("host"), "-U",
                conn.get("username"), "-d", conn.get("database"), "-tAc", sql);
        return r.exit() == 0 ? r.out().strip() : "(failed: " + r.err() + ")";
    }

    String redis(int i, Map<String, String> conn, String... args) {
        List<String> command = new ArrayList<>(List.of("run", "--rm", "--label", IT_LABEL, "--network", "berth", "-e",
                "REDISCLI_AUTH=" + conn.get("password"), "--entrypoint", "redis-cli", REDIS, "-h", conn.get("host")));
        command.addAll(List.of(args));
        return t.docker(i, command.toArray(String[]::new)).strip();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
