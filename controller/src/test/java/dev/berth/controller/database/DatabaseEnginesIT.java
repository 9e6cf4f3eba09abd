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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every engine with a real server here, run by the whole operator on the test bed: Ready with the version the engine
 * reports, a client container on the Berth network logs in with the connection Secret and writes and reads a row,
 * the row survives a restart out of band and a change of image tag (same major: a new container on the same volume),
 * and deletion with {@code deletionPolicy: Delete} takes the volume. An engine whose image is not on the bed skips
 * (load them with {@code scripts/testbed.sh images NAME...}; {@code scripts/test.sh} loads them all).
 */
class DatabaseEnginesIT {
    static final Duration WAIT = Duration.ofSeconds(240);
    static final String NS = AppTestBed.NS;
    static final String IT_LABEL = "berth-it=database-engines";

    enum Engine {
        POSTGRES_15("berth-test/postgres:15", StandaloneDatabaseSpec.Engine.POSTGRESQL, "max_connections", "50", "15."),
        MYSQL_9("berth-test/mysql:9", StandaloneDatabaseSpec.Engine.MYSQL, "max_connections", "50", "9."),
        MARIADB_10("berth-test/mariadb:10.11", StandaloneDatabaseSpec.Engine.MARIADB, "max_connections", "50", "10.11"),
        REDIS_7("berth-test/redis:7.0", StandaloneDatabaseSpec.Engine.REDIS, "maxmemory", "64mb", "7."),
        VALKEY_9("berth-test/valkey:9", StandaloneDatabaseSpec.Engine.VALKEY, "maxmemory", "64mb", "9."),
        CLICKHOUSE_18("berth-test/clickhouse:18.16", StandaloneDatabaseSpec.Engine.CLICKHOUSE, "max_connections", "100",
                "18.16");

        final String image;
        final StandaloneDatabaseSpec.Engine engine;
        final String configKey;
        final String configValue;
        final String versionPrefix;

        Engine(String image, StandaloneDatabaseSpec.Engine engine, String configKey, String configValue,
                String versionPrefix) {
            this.image = image;
            this.engine = engine;
            this.configKey = configKey;
            this.configValue = configValue;
            this.versionPrefix = versionPrefix;
        }

        boolean sql() {
            return engine != StandaloneDatabaseSpec.Engine.REDIS && engine != StandaloneDatabaseSpec.Engine.VALKEY;
        }
    }

    @TempDir
    Path dataDir;
    AppTestBed t;
    final List<StandaloneDatabase> created = new ArrayList<>();
    final List<String> tags = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        if (t == null) {
            return;
        }
        try {
            t.stopOperators();
            List<String> ids = new ArrayList<>(List.of(t.docker(1, "ps", "-aq", "--filter", "label=" + IT_LABEL)
                    .split("\\s+")));
            for (StandaloneDatabase db : created) {
                ids.addAll(List.of(t.docker(1, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                        + db.getMetadata().getUid()).split("\\s+")));
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
        } finally {
            t.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void runsKeepsItsRowsAcrossRestartAndImageChangeAndDeleteTakesTheVolume(Engine e) throws Exception {
        t = new AppTestBed(dataDir);
        Assumptions.assumeTrue(t.dockerResult(1, "image", "inspect", e.image).exit() == 0,
                e.image + " is not on the bed: scripts/testbed.sh images all");
        t.startOperator();
        t.server("h1", 1);
        String name = "db-" + e.name().toLowerCase().replace('_', '-');
        StandaloneDatabase db = new StandaloneDatabase();
        db.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef("h1"));
        spec.setEngine(e.engine);
        spec.setImage(e.image);
        spec.setConfig(new LinkedHashMap<>(Map.of(e.configKey, e.configValue)));
        spec.getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Delete);
        db.setSpec(spec);
        db = t.client.resource(db).create();
        created.add(db);

        StandaloneDatabase ready = awaitReadyGeneration(name, 1);
        assertThat(ready.getStatus().getEngineVersion()).as("the version the engine reports").startsWith(e.versionPrefix);
        Map<String, String> conn = connection(name);
        client(e, conn, e.sql() ? write(e) : "SET k 42");
        assertThat(client(e, conn, e.sql() ? "SELECT x FROM t" : "GET k")).contains("42");

        t.docker(1, "restart", ready.getStatus().getContainerId());
        await().atMost(WAIT).ignoreExceptions().until(() -> client(e, conn, e.sql() ? "SELECT x FROM t" : "GET k")
                .contains("42"));

        // Another tag of the same major (the same bits here): a new container on the same volume.
        String retagged = e.image + "-b";
        t.docker(1, "tag", e.image, retagged);
        tags.add(retagged);
        t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name)
                .edit(d -> {
                    d.getSpec().setImage(retagged);
                    return d;
                });
        StandaloneDatabase moved = awaitReadyGeneration(name, 2);
        assertThat(moved.getStatus().getContainerId()).isNotEqualTo(ready.getStatus().getContainerId());
        assertThat(moved.getStatus().getImage()).isEqualTo(retagged);
        assertThat(client(e, conn, e.sql() ? "SELECT x FROM t" : "GET k")).contains("42");
        assertThat(t.docker(1, "ps", "-aq", "--filter", "label=" + DesiredDatabase.LABEL_DATABASE + "="
                + db.getMetadata().getUid()).lines().count()).as("one container, the old one removed").isEqualTo(1);

        t.client.resources(StandaloneDatabase.class).inNamespace(NS).withName(name).delete();
        String volume = DesiredDatabase.volumeName(db);
        await().atMost(WAIT).until(() -> !t.docker(1, "volume", "ls", "-q").lines().toList().contains(volume));
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

    /** The engine's own client in a container on the Berth network, logged in with the connection Secret. */
    String client(Engine e, Map<String, String> conn, String statement) {
        String host = conn.get("host");
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--label", IT_LABEL, "--network", "berth"));
        switch (e.engine) {
            case POSTGRESQL -> args.addAll(List.of("-e", "PGPASSWORD=" + conn.get("password"), "--entrypoint", "psql",
                    e.image, "-v", "ON_ERROR_STOP=1", "-h", host, "-U", conn.get("username"), "-d", conn.get("database"),
                    "-tAc", statement));
            case MYSQL, MARIADB -> args.addAll(List.of("-e", "MYSQL_PWD=" + conn.get("password"), "--entrypoint",
                    e.engine == StandaloneDatabaseSpec.Engine.MYSQL ? "mysql" : "mariadb", e.image, "-h", host, "-u",
                    conn.get("username"), "-D", conn.get("database"), "-N", "-e", statement));
            case REDIS, VALKEY -> {
                args.addAll(List.of("-e", "REDISCLI_AUTH=" + conn.get("password"), "--entrypoint",
                        e.engine == StandaloneDatabaseSpec.Engine.REDIS ? "redis-cli" : "valkey-cli", e.image, "-h", host));
                args.addAll(List.of(statement.split(" ")));
            }
            case CLICKHOUSE -> args.addAll(List.of("-e", "CH_USER=" + conn.get("username"), "-e",
                    "CH_PASSWORD=" + conn.get("password"), "--entrypoint", "sh", e.image, "-c",
                    "f=$(mktemp); esc() { printf '%s' \"$1\" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; "
                            + "printf '<config><user>%s</user><password>%s</password></config>' \"$(esc \"$CH_USER\")\" "
                            + "\"$(esc \"$CH_PASSWORD\")\" >\"$f\"; exec clickhouse-client --config-file \"$f\" --host \"$0\" "
                            + "-d \"$1\" -n --query \"$2\"", host, conn.get("database"), statement));
            default -> throw new IllegalArgumentException("no client for " + e.engine);
        }
        return t.docker(1, args.toArray(String[]::new));
    }
}
