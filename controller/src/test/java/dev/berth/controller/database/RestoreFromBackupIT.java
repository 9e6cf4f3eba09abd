package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.application.AppTestBed;
import dev.berth.controller.backup.BackupDestinations;
import dev.berth.controller.backup.BackupName;
import dev.berth.controller.backup.BackupRun;
import dev.berth.controller.backup.BackupRunResult;
import dev.berth.controller.backup.BackupVerification;
import dev.berth.controller.backup.DumpCommand;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.backup.store.S3Proxy;
import dev.berth.controller.backup.store.S3Storage;
import dev.berth.controller.docker.SshDockerHost;
import dev.berth.controller.ssh.HostKeyPolicy;
import dev.berth.controller.ssh.SshConnectionPool;
import dev.berth.controller.ssh.SshHostConnection;
import dev.berth.controller.ssh.SshKey;
import dev.berth.controller.ssh.SshSettings;
import dev.berth.controller.ssh.SshTarget;
import dev.berth.controller.testbed.TestBed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * spec.restoreFrom through the whole operator, for every engine with a real server here: a source database (made by
 * the operator on bed host 1) gets known rows, a backup run ({@link BackupRun}, to s3proxy and to host 1's directory,
 * through {@link BackupDestinations} of a ScheduledBackup — suspended: its own reconciler runs nothing), and a new
 * database restored from it must be Ready with the same row count and content checksum, a {@code Restored} condition
 * naming the run and {@code status.restoredRunId}. PostgreSQL is restored on host 2 from the host copy, read over host
 * 1's SSH connection (the source database's Server). Also: a restore onto an existing volume is refused and changes
 * nothing, a corrupted host copy fails the restore and the database never becomes Ready, and
 * {@link BackupVerification} counts a PostgreSQL and a Redis backup in throwaway containers that are gone afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreFromBackupIT {
    static final Duration WAIT = Duration.ofSeconds(300);
    static final String NS = AppTestBed.NS;
    static final String BUCKET = "backups";
    static final String S3_SECRET = "s3-keys";

    enum Engine {
        POSTGRES("berth-test/postgres:15", StandaloneDatabaseSpec.Engine.POSTGRESQL, DatabaseEngine.POSTGRESQL, "pg"),
        MYSQL("berth-test/mysql:9", StandaloneDatabaseSpec.Engine.MYSQL, DatabaseEngine.MYSQL, "mysql"),
        MARIADB("berth-test/mariadb:10.11", StandaloneDatabaseSpec.Engine.MARIADB, DatabaseEngine.MARIADB, "mariadb"),
        REDIS("berth-test/redis:7.0", StandaloneDatabaseSpec.Engine.REDIS, DatabaseEngine.REDIS, "redis"),
        VALKEY("berth-test/valkey:9", StandaloneDatabaseSpec.Engine.VALKEY, DatabaseEngine.VALKEY, "valkey"),
        CLICKHOUSE("berth-test/clickhouse:18.16", StandaloneDatabaseSpec.Engine.CLICKHOUSE, DatabaseEngine.CLICKHOUSE,
                "ch");

        final String image;
        final StandaloneDatabaseSpec.Engine spec;
        final DatabaseEngine engine;
        final String shortName;

        Engine(String image, StandaloneDatabaseSpec.Engine spec, DatabaseEngine engine, String shortName) {
            this.image = image;
            this.spec = spec;
            this.engine = engine;
            this.shortName = shortName;
        }
    }

    /** A source database, its rows' fingerprint and its backup. */
    record Source(StandaloneDatabase db, DatabaseLogin login, String fingerprint, BackupName name,
                  BackupRunResult result) {
    }

    AppTestBed t;
    Path dataDir;
    Path s3dir;
    S3Proxy proxy;
    S3Storage s3;
    SshConnectionPool pool;
    SshHostConnection ssh1;
    SshDockerHost docker1;
    String hostBase;
    final Map<Engine, Source> sources = new EnumMap<>(Engine.class);
    final List<StandaloneDatabase> created = new ArrayList<>();

    @BeforeAll
    void backUpEveryEngine() throws Exception {
        dataDir = Files.createTempDirectory("berth-restore-it");
        s3dir = Files.createTempDirectory("berth-restore-it-s3");
        t = new AppTestBed(dataDir);
        for (Engine e : Engine.values()) {
            Assumptions.assumeTrue(t.dockerResult(1, "image", "inspect", e.image).exit() == 0
                    && t.dockerResult(2, "image", "inspect", e.image).exit() == 0,
                    e.image + " is not on the bed: scripts/testbed.sh images all");
        }
        proxy = new S3Proxy(s3dir);
        s3 = S3Storage.connect(proxy.endpoint(), "us-east-1", true, BUCKET, S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY);
        try (S3Client admin = S3Client.builder().endpointOverride(java.net.URI.create(proxy.endpoint()))
                .region(software.amazon.awssdk.regions.Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(S3Proxy.ACCESS_KEY,
                                S3Proxy.SECRET_KEY))).build()) {
            admin.createBucket(b -> b.bucket(BUCKET));
        }
        TestBed.Host h = t.bed.host(1);
        pool = new SshConnectionPool(new SimpleMeterRegistry(), SshSettings.defaults());
        ssh1 = pool.connection(new SshTarget("it/restore", h.address(), h.port(), h.user(),
                SshKey.load(h.privateKey(), null), HostKeyPolicy.pinned(h.hostKeyFingerprint()), 8));
        docker1 = SshDockerHost.on(ssh1, h.remoteDockerSocket(), new SimpleMeterRegistry());
        hostBase = "/tmp/berth-restore-it-" + UUID.randomUUID().toString().substring(0, 8);

        t.client.resource(new SecretBuilder().withNewMetadata().withName(S3_SECRET).withNamespace(NS).endMetadata()
                .withData(Map.of(BackupDestinations.ACCESS_KEY_ID, b64(S3Proxy.ACCESS_KEY),
                        BackupDestinations.SECRET_ACCESS_KEY, b64(S3Proxy.SECRET_KEY))).build()).create();
        t.startOperator();
        t.server("h1", 1);
        t.server("h2", 2);

        for (Engine e : Engine.values()) {
            create(database("src-" + e.shortName, e, "h1", null));
        }
        for (Engine e : Engine.values()) {
            StandaloneDatabase db = awaitReady("src-" + e.shortName);
            DatabaseLogin login = login(db.getMetadata().getName());
            String container = db.getStatus().getContainerId();
            write(e, 1, container, login);
            String fingerprint = fingerprint(e, 1, container, login);
            assertThat(fingerprint).as(e + " rows written").doesNotStartWith("0|").isNotBlank();
            ScheduledBackup backup = scheduledBackup("bk-" + e.shortName, db.getMetadata().getName());
            DumpCommand dump = DumpCommand.of(e.engine, login, false);
            BackupName name = new BackupName(Instant.now(), UUID.randomUUID(), dump.extension());
            BackupRunResult result = backUp(backup, container, dump, name);
            sources.put(e, new Source(db, login, fingerprint, name, result));
        }
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (t == null) {
            return;
        }
        try {
            t.stopOperators();
            for (int host = 1; host <= 2; host++) {
                for (StandaloneDatabase db : created) {
                    String ids = t.docker(host, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                            + db.getMetadata().getUid());
                    for (String id : ids.split("\\s+")) {
                        if (!id.isBlank()) {
                            t.dockerResult(host, "rm", "-f", id);
                        }
                    }
                }
                for (StandaloneDatabase db : created) {
                    t.dockerResult(host, "volume", "rm", "-f", DesiredDatabase.volumeName(db));
                }
            }
            if (ssh1 != null) {
                ssh1.exec("rm -rf -- '" + hostBase + "'", OutputStream.nullOutputStream(),
                        OutputStream.nullOutputStream(), Duration.ofSeconds(30));
            }
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {s3, proxy, docker1, pool}) {
                if (c != null) {
                    c.close();
                }
            }
            t.close();
        }
    }

    /** Every engine restored into a new database: Ready only once restored, with the same rows. */
    @Test
    void everyEngineIsRestoredIntoANewDatabaseWithTheSameRowsAndSaysWhichRun() throws Exception {
        for (Engine e : Engine.values()) {
            // PostgreSQL on the other host, from the host copy (read over the source database's Server); MySQL from
            // the host copy on the same host; the others from S3.
            String server = e == Engine.POSTGRES ? "h2" : "h1";
            String source = e == Engine.POSTGRES || e == Engine.MYSQL ? "host" : null;
            create(database("restored-" + e.shortName, e, server, restoreFrom("bk-" + e.shortName, "latest", source)));
        }
        for (Engine e : Engine.values()) {
            Source src = sources.get(e);
            int host = e == Engine.POSTGRES ? 2 : 1;
            StandaloneDatabase restored = awaitReady("restored-" + e.shortName);
            assertThat(restored.getStatus().getRestoredRunId()).as(e.name()).isEqualTo(src.name().runId().toString());
            Condition c = restored.getStatus().condition(DatabaseReasons.CONDITION_RESTORED).orElseThrow();
            assertThat(c.getStatus()).isEqualTo(Condition.TRUE);
            assertThat(c.getReason()).isEqualTo(DatabaseReasons.RESTORED);
            assertThat(c.getMessage()).contains(src.name().runId().toString())
                    .contains(e == Engine.POSTGRES || e == Engine.MYSQL
                            ? ssh1.target().host() + ":" + hostBase + "/" + NS + "/bk-" + e.shortName + "/"
                            : "s3://" + BUCKET + "/berth/" + NS + "/bk-" + e.shortName + "/")
                    .doesNotContain(src.login().password());
            DatabaseLogin login = login("restored-" + e.shortName);
            assertThat(fingerprint(e, host, restored.getStatus().getContainerId(), login)).as(e.name())
                    .isEqualTo(src.fingerprint());
        }

        // A new operator (as after a restart) and a changed spec (a new container on the same volume): the database is
        // an ordinary one now and nothing is restored again (a second pg_restore into it would fail).
        t.stopOperators();
        t.startOperator();
        t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName("restored-pg").edit(d -> {
            d.getSpec().setConfig(new LinkedHashMap<>(Map.of("max_connections", "60")));
            return d;
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
            StandaloneDatabase d = get("restored-pg");
            return Long.valueOf(2).equals(d.getStatus().getObservedGeneration()) && d.getStatus()
                    .condition(Berth.CONDITION_READY).map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false);
        });
        StandaloneDatabase again = get("restored-pg");
        Source pg = sources.get(Engine.POSTGRES);
        assertThat(again.getStatus().getRestoredRunId()).isEqualTo(pg.name().runId().toString());
        assertThat(again.getStatus().condition(DatabaseReasons.CONDITION_RESTORED).orElseThrow().getStatus())
                .isEqualTo(Condition.TRUE);
        assertThat(fingerprint(Engine.POSTGRES, 2, again.getStatus().getContainerId(), login("restored-pg")))
                .isEqualTo(pg.fingerprint());
    }

    /** A volume that exists (here: the source's own, live) is never restored into: refused, nothing touched. */
    @Test
    void restoreFromOntoAnExistingVolumeIsRefusedAndTheDataIsUntouched() throws Exception {
        Source src = sources.get(Engine.POSTGRES);
        StandaloneDatabase db = database("onto-live", Engine.POSTGRES, "h1", restoreFrom("bk-pg", "latest", null));
        db.getSpec().getStorage().setVolumeName(src.db().getStatus().getVolumeName());
        db.getSpec().getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Retain);
        StandaloneDatabase made = t.client.resource(db).create(); // not in `created`: its volume is the source's

        StandaloneDatabase refused = awaitReason("onto-live", DatabaseReasons.RESTORE_TARGET_NOT_EMPTY);
        assertThat(refused.getStatus().condition(Berth.CONDITION_READY).orElseThrow().getMessage())
                .contains(src.db().getStatus().getVolumeName()).contains("nothing was touched");
        assertThat(t.docker(1, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                + made.getMetadata().getUid())).as("no container for it").isBlank();
        assertThat(fingerprint(Engine.POSTGRES, 1, src.db().getStatus().getContainerId(), src.login()))
                .isEqualTo(src.fingerprint());
        t.client.resource(made).delete();
    }

    /** A host copy whose bytes changed (same size): the sha256 check fails the restore, the database is never Ready. */
    @Test
    void aCorruptedCopyFailsTheRestoreAndTheDatabaseIsNotReady() throws Exception {
        Source src = sources.get(Engine.POSTGRES);
        ScheduledBackup backup = t.client.resources(ScheduledBackup.class).inNamespace(NS).withName("bk-pg").get();
        DumpCommand dump = DumpCommand.of(DatabaseEngine.POSTGRESQL, src.login(), false);
        BackupName name = new BackupName(Instant.now(), UUID.randomUUID(), dump.extension());
        backUp(backup, src.db().getStatus().getContainerId(), dump, name);
        String file = hostBase + "/" + NS + "/bk-pg/" + name.fileName();
        // One byte in the middle flipped: the size stays, the sha256 in the sidecar no longer matches.
        hostRun("f='" + file + "'; s=$(wc -c < \"$f\"); o=$((s / 2)); b=$(od -An -tu1 -j $o -N 1 \"$f\" | tr -d ' '); "
                + "if [ \"$b\" = 0 ]; then v='\\001'; else v='\\000'; fi; "
                + "printf \"$v\" | dd of=\"$f\" bs=1 seek=$o conv=notrunc 2>/dev/null");
        assertThat(hostRun("cd '" + hostBase + "/" + NS + "/bk-pg' && sha256sum -c '" + name.fileName()
                + ".sha256' 2>&1 || true")).contains("FAILED");

        create(database("from-corrupt", Engine.POSTGRES, "h1", restoreFrom("bk-pg", name.runId().toString(), "host")));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> get("from-corrupt").getStatus() != null
                && get("from-corrupt").getStatus().condition(DatabaseReasons.CONDITION_RESTORED)
                        .map(c -> DatabaseReasons.RESTORE_FAILED.equals(c.getReason())).orElse(false));
        StandaloneDatabase failed = get("from-corrupt");
        assertThat(failed.getStatus().condition(Berth.CONDITION_READY).orElseThrow().getReason())
                .isEqualTo(DatabaseReasons.RESTORE_FAILED);
        Condition restored = failed.getStatus().condition(DatabaseReasons.CONDITION_RESTORED).orElseThrow();
        assertThat(restored.getStatus()).isEqualTo(Condition.FALSE);
        assertThat(restored.getReason()).isEqualTo(DatabaseReasons.RESTORE_FAILED);
        assertThat(restored.getMessage()).contains("not the one recorded").contains("deletionPolicy Delete");
        assertThat(failed.getStatus().getRestoredRunId()).isNull();
        assertThat(failed.getStatus().condition(Berth.CONDITION_READY).orElseThrow().getStatus())
                .isEqualTo(Condition.FALSE);
        assertThat(t.client.secrets().inNamespace(NS).withName("from-corrupt-connection").get())
                .as("no connection Secret for a database that is not Ready").isNull();
        // pg_restore never saw the end of its input: its single transaction left nothing behind.
        Map<String, String> credentials = decoded(t.client.secrets().inNamespace(NS)
                .withName(failed.getStatus().getCredentialsSecretName()).get());
        assertThat(t.docker(1, "exec", "-e", "PGPASSWORD=" + credentials.get("password"),
                failed.getStatus().getContainerId(), "psql", "-h", "127.0.0.1", "-U", credentials.get("username"), "-d",
                src.login().database(), "-tAc", "SELECT count(*) FROM pg_tables WHERE tablename = 'orders'"))
                .isEqualTo("0");
    }

    /** BackupVerification: the counts of a PostgreSQL and a Redis backup; a wrong digest fails; nothing is left. */
    @Test
    void verificationCountsWhatABackupHoldsAndLeavesNothing() throws Exception {
        Source pg = sources.get(Engine.POSTGRES);
        BackupVerification verification = new BackupVerification(docker1, Duration.ofMinutes(3));
        BackupVerification.Result r = verification.verify(pg.db(), pg.login(), "dump",
                () -> s3.read(key("bk-pg", pg.name())), digest(pg));
        assertThat(r.failure()).isEmpty();
        assertThat(r.counts()).contains("tables=1 rows=3000");

        Source redis = sources.get(Engine.REDIS);
        r = verification.verify(redis.db(), redis.login(), "rdb.gz", () -> s3.read(key("bk-redis", redis.name())),
                digest(redis));
        assertThat(r.counts()).as(r.failure().orElse("")).contains("keys=500");

        // A copy that is not the recorded one (the RDB is checked while it is placed, before any server starts).
        BackupVerification.Result wrong = verification.verify(redis.db(), redis.login(), "rdb.gz",
                () -> s3.read(key("bk-redis", redis.name())), new BackupDigest("0".repeat(64),
                        redis.result().sizeBytes()));
        assertThat(wrong.succeeded()).isFalse();
        assertThat(wrong.failure().orElseThrow()).contains("not the one recorded")
                .doesNotContain(redis.login().password());

        assertThat(t.docker(1, "ps", "-aq", "--filter", "label=" + BackupVerification.LABEL)).isBlank();
        assertThat(t.docker(1, "volume", "ls", "-q", "--filter", "label=" + BackupVerification.LABEL)).isBlank();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private BackupRunResult backUp(ScheduledBackup backup, String container, DumpCommand dump, BackupName name)
            throws Exception {
        try (BackupDestinations destinations = BackupDestinations.open(backup, t.client, ssh1)) {
            BackupRunResult result = new BackupRun(docker1, Clock.systemUTC()).run(container, dump, name,
                    destinations.targets(name, Map.of("berth-engine", "it"), Duration.ofMinutes(5)),
                    Duration.ofMinutes(3));
            assertThat(result.succeeded()).as(result.failure().orElse("")).isTrue();
            assertThat(result.restorableLocations()).hasSize(2);
            return result;
        }
    }

    private static BackupDigest digest(Source s) {
        return new BackupDigest(s.result().sha256(), s.result().sizeBytes());
    }

    private static String key(String backup, BackupName name) {
        return BackupName.directory("berth", NS, backup) + name.fileName();
    }

    private StandaloneDatabase database(String name, Engine e, String server, StandaloneDatabaseSpec.RestoreFrom from) {
        StandaloneDatabase db = new StandaloneDatabase();
        db.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef(server));
        spec.setEngine(e.spec);
        spec.setImage(e.image);
        spec.getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Delete);
        spec.setRestoreFrom(from);
        db.setSpec(spec);
        return db;
    }

    private void create(StandaloneDatabase db) {
        created.add(t.client.resource(db).create());
    }

    private static StandaloneDatabaseSpec.RestoreFrom restoreFrom(String backup, String run, String source) {
        StandaloneDatabaseSpec.RestoreFrom from = new StandaloneDatabaseSpec.RestoreFrom();
        from.setBackupRef(new LocalRef(backup));
        from.setRun(run);
        from.setSource(source);
        return from;
    }

    private ScheduledBackup scheduledBackup(String name, String database) {
        ScheduledBackup b = new ScheduledBackup();
        b.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        ScheduledBackupSpec spec = new ScheduledBackupSpec();
        spec.setDatabaseRef(new LocalRef(database));
        spec.setSchedule("@daily");
        spec.setSuspend(true); // the test makes the runs; the ScheduledBackup only names where they are
        ScheduledBackupSpec.Destination d = new ScheduledBackupSpec.Destination();
        ScheduledBackupSpec.S3Destination s3d = new ScheduledBackupSpec.S3Destination();
        s3d.setEndpoint(proxy.endpoint());
        s3d.setBucket(BUCKET);
        s3d.setPrefix("berth");
        s3d.setCredentialsSecretRef(new LocalRef(S3_SECRET));
        d.setS3(s3d);
        ScheduledBackupSpec.HostDestination hd = new ScheduledBackupSpec.HostDestination();
        hd.setPath(hostBase);
        d.setHost(hd);
        spec.setDestination(d);
        b.setSpec(spec);
        return t.client.resource(b).create();
    }

    private StandaloneDatabase awaitReady(String name) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> get(name).getStatus() != null
                    && get(name).getStatus().condition(Berth.CONDITION_READY)
                            .map(c -> Condition.TRUE.equals(c.getStatus())).orElse(false));
        } catch (org.awaitility.core.ConditionTimeoutException ex) {
            StandaloneDatabase d = get(name);
            throw new AssertionError(name + " not Ready: " + (d.getStatus() == null ? null : d.getStatus()
                    .getConditions()), ex);
        }
        return get(name);
    }

    private StandaloneDatabase awaitReason(String name, String reason) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> get(name).getStatus() != null
                    && get(name).getStatus().condition(Berth.CONDITION_READY)
                            .map(c -> reason.equals(c.getReason())).orElse(false));
        } catch (org.awaitility.core.ConditionTimeoutException ex) {
            StandaloneDatabase d = get(name);
            throw new AssertionError(name + " never " + reason + ": " + (d.getStatus() == null ? null
                    : d.getStatus().getConditions()), ex);
        }
        return get(name);
    }

    private StandaloneDatabase get(String name) {
        return t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).get();
    }

    private DatabaseLogin login(String database) {
        Map<String, String> c = decoded(t.client.secrets().inNamespace(NS).withName(database + "-connection").get());
        return new DatabaseLogin(Optional.ofNullable(c.get("username")).orElse("default"), c.get("password"),
                Optional.ofNullable(c.get("database")).orElse("0"));
    }

    private static Map<String, String> decoded(Secret s) {
        Map<String, String> c = new LinkedHashMap<>();
        s.getData().forEach((k, v) -> c.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return c;
    }

    /** Known rows: 3000 for PostgreSQL, 1000 for the others (with a tab and a newline in ClickHouse's), 500 keys. */
    private void write(Engine e, int host, String container, DatabaseLogin login) {
        switch (e) {
            case POSTGRES -> sql(e, host, container, login, "CREATE TABLE orders (id int PRIMARY KEY, item text); "
                    + "INSERT INTO orders SELECT g, 'item-' || g || repeat('x', g % 50) FROM generate_series(1, 3000) g");
            case MYSQL, MARIADB -> sql(e, host, container, login, "CREATE TABLE orders (id INT PRIMARY KEY, item "
                    + "VARCHAR(80)); CREATE TABLE d (x INT); INSERT INTO d VALUES (0), (1), (2), (3), (4), (5), (6), (7), "
                    + "(8), (9); INSERT INTO orders SELECT a.x * 100 + b.x * 10 + c.x + 1, CONCAT('item-', a.x, b.x, c.x, "
                    + "REPEAT('x', c.x * 5)) FROM d a, d b, d c; DROP TABLE d");
            case CLICKHOUSE -> {
                sql(e, host, container, login, "CREATE TABLE orders (id UInt64, item String) ENGINE = MergeTree "
                        + "ORDER BY id");
                sql(e, host, container, login, "INSERT INTO orders SELECT number, concat('item-', toString(number), "
                        + "if(number = 7, '\\ttab\\nline', '')) FROM system.numbers LIMIT 1000");
            }
            case REDIS, VALKEY -> t.docker(host, "exec", "-e", "REDISCLI_AUTH=" + login.password(), container, "sh",
                    "-c", "i=0; while [ $i -lt 500 ]; do echo \"SET key:$i value-$i\"; i=$((i+1)); done | " + cli(e)
                            + " -h 127.0.0.1 > /dev/null");
        }
    }

    /** Row count and a checksum over every row's content, as "count|checksum". */
    private String fingerprint(Engine e, int host, String container, DatabaseLogin login) {
        return switch (e) {
            case POSTGRES -> sql(e, host, container, login,
                    "SELECT count(*) || '|' || md5(string_agg(o::text, ',' ORDER BY id)) FROM orders o");
            case MYSQL, MARIADB -> sql(e, host, container, login,
                    "SELECT CONCAT(COUNT(*), '|', SUM(CRC32(CONCAT(id, ':', item)))) FROM orders");
            case CLICKHOUSE -> sql(e, host, container, login,
                    "SELECT concat(toString(count()), '|', toString(sum(cityHash64(id, item)))) FROM orders");
            case REDIS, VALKEY -> t.docker(host, "exec", "-e", "REDISCLI_AUTH=" + login.password(), container, "sh",
                    "-c", "echo \"$(" + cli(e) + " -h 127.0.0.1 DBSIZE)|$(" + cli(e) + " -h 127.0.0.1 MGET $(seq 0 499 "
                            + "| sed 's/^/key:/') | md5sum | cut -c1-32)\"");
        };
    }

    private static String cli(Engine e) {
        return e == Engine.VALKEY ? "valkey-cli" : "redis-cli";
    }

    /** A statement by the engine's own client inside the container, logged in as the database's user. */
    private String sql(Engine e, int host, String container, DatabaseLogin login, String statement) {
        List<String> args = new ArrayList<>(List.of("exec"));
        switch (e) {
            case POSTGRES -> args.addAll(List.of("-e", "PGPASSWORD=" + login.password(), container, "psql", "-v",
                    "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", login.username(), "-d", login.database(), "-tAc",
                    statement));
            case MYSQL, MARIADB -> args.addAll(List.of("-e", "MYSQL_PWD=" + login.password(), container,
                    e == Engine.MYSQL ? "mysql" : "mariadb", "--protocol=TCP", "-h", "127.0.0.1", "-u", login.username(),
                    "-D", login.database(), "-N", "-e", statement));
            case CLICKHOUSE -> args.addAll(List.of("-e", "CH_USER=" + login.username(), "-e",
                    "CH_PASSWORD=" + login.password(), container, "sh", "-c",
                    "f=$(mktemp); esc() { printf '%s' \"$1\" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; "
                            + "printf '<config><user>%s</user><password>%s</password></config>' \"$(esc \"$CH_USER\")\" "
                            + "\"$(esc \"$CH_PASSWORD\")\" >\"$f\"; clickhouse-client --config-file \"$f\" --host 127.0.0.1 "
                            + "-d \"$0\" --query \"$1\"; rc=$?; rm -f \"$f\"; exit $rc", login.database(), statement));
            default -> throw new IllegalArgumentException("no SQL client for " + e);
        }
        return t.docker(host, args.toArray(String[]::new));
    }

    private String hostRun(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(ssh1.exec(command, out, err, Duration.ofSeconds(30)).succeeded())
                .as(command + ": " + err.toString(StandardCharsets.UTF_8)).isTrue();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
