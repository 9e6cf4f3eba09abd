package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.HealthCheck;
import dev.berth.api.v1alpha1.Resources;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.docker.ContainerSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The container a StandaloneDatabase is on its Server, per engine, built from the spec alone. */
class DesiredDatabaseTest {
    /**
     * Shell and XML specials included; {@link #MARK}, its plain start, is what is looked for, since a quoted or
     * escaped copy of the whole password would not contain it verbatim.
     */
    private static final String MARK = "Zq7K4mWv";
    private static final String PASSWORD = MARK + "'pw\"$HOME`x\\<&>q9Kd";
    private static final String NETWORK = "berth";
    private static final String UID = "0d4a1c2e-uid";

    static StandaloneDatabase database(DatabaseEngine engine, Consumer<StandaloneDatabaseSpec> edit) {
        StandaloneDatabase db = new StandaloneDatabase();
        db.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("orders").withUid(UID).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setEngine(StandaloneDatabaseSpec.Engine.valueOf(engine.name()));
        edit.accept(spec);
        db.setSpec(spec);
        return db;
    }

    static DatabaseLogin login(DatabaseEngine engine, String password) {
        String user = engine.username("app");
        return new DatabaseLogin(user, password, engine.database("orders", user));
    }

    private static DesiredDatabase desired(DatabaseEngine engine, Consumer<StandaloneDatabaseSpec> edit) {
        return DesiredDatabase.compute(database(engine, edit), login(engine, PASSWORD), NETWORK);
    }

    private static DesiredDatabase desired(DatabaseEngine engine) {
        return desired(engine, s -> { });
    }

    private static String healthLine(DesiredDatabase d) {
        return String.join(" ", d.container().health().test());
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void theImageIsTheEnginesOfficialOneUnlessTheSpecNamesAnother(DatabaseEngine engine) {
        assertThat(desired(engine).image()).isEqualTo(engine.defaultImage());
        assertThat(desired(engine).container().image()).isEqualTo(engine.defaultImage());
        assertThat(desired(engine, s -> s.setImage("  ")).image()).isEqualTo(engine.defaultImage());

        DesiredDatabase own = desired(engine, s -> s.setImage("registry.local:5000/team/engine:1.2.3"));
        assertThat(own.image()).isEqualTo("registry.local:5000/team/engine:1.2.3");
        assertThat(own.container().image()).isEqualTo("registry.local:5000/team/engine:1.2.3");
    }

    @Test
    void theEnvironmentIsEachOfficialImagesFirstStartContract() {
        Map<DatabaseEngine, Map<String, String>> env = new LinkedHashMap<>();
        for (DatabaseEngine e : DatabaseEngine.values()) {
            env.put(e, desired(e).container().env());
        }
        assertThat(env.get(DatabaseEngine.POSTGRESQL)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "POSTGRES_USER", "app", "POSTGRES_PASSWORD", PASSWORD, "POSTGRES_DB", "orders"));
        assertThat(env.get(DatabaseEngine.MYSQL)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "MYSQL_ROOT_PASSWORD", PASSWORD, "MYSQL_ROOT_HOST", "localhost", "MYSQL_USER", "app",
                "MYSQL_PASSWORD", PASSWORD, "MYSQL_DATABASE", "orders"));
        assertThat(env.get(DatabaseEngine.MARIADB)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "MARIADB_ROOT_PASSWORD", PASSWORD, "MARIADB_ROOT_HOST", "localhost", "MARIADB_USER", "app",
                "MARIADB_PASSWORD", PASSWORD, "MARIADB_DATABASE", "orders"));
        assertThat(env.get(DatabaseEngine.MONGODB)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "MONGO_INITDB_ROOT_USERNAME", "app", "MONGO_INITDB_ROOT_PASSWORD", PASSWORD,
                "MONGO_INITDB_DATABASE", "orders"));
        assertThat(env.get(DatabaseEngine.REDIS)).containsExactlyEntriesOf(Map.of("REDIS_PASSWORD", PASSWORD));
        assertThat(env.get(DatabaseEngine.VALKEY)).containsExactlyEntriesOf(Map.of("VALKEY_PASSWORD", PASSWORD));
        assertThat(env.get(DatabaseEngine.KEYDB)).containsExactlyEntriesOf(Map.of("KEYDB_PASSWORD", PASSWORD));
        assertThat(env.get(DatabaseEngine.DRAGONFLY)).containsExactlyEntriesOf(Map.of("DFLY_requirepass", PASSWORD));
        assertThat(env.get(DatabaseEngine.CLICKHOUSE)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "CLICKHOUSE_USER", "app", "CLICKHOUSE_PASSWORD", PASSWORD, "CLICKHOUSE_DB", "orders",
                "CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT", "1"));
    }

    @Test
    void mysqlLoggingInAsRootGetsOnlyTheRootVariables() {
        DatabaseLogin root = new DatabaseLogin("root", PASSWORD, "orders");
        DesiredDatabase d = DesiredDatabase.compute(database(DatabaseEngine.MYSQL, s -> { }), root, NETWORK);
        assertThat(d.container().env()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "MYSQL_ROOT_PASSWORD", PASSWORD, "MYSQL_DATABASE", "orders"));
        assertThat(healthLine(d)).contains("MYSQL_PWD=\"$MYSQL_ROOT_PASSWORD\"").doesNotContain(MARK);
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void thePasswordIsInTheEnvironmentOnlyNeverInACommandLineOrALogLine(DatabaseEngine engine) {
        DesiredDatabase d = desired(engine, s -> {
            s.setPublicPort(15000);
            s.setConfig(Map.of("maxclients", "100"));
        });
        assertThat(d.container().env()).containsValue(PASSWORD);
        assertThat(d.container().health().test().get(0)).isEqualTo("CMD-SHELL");
        assertThat(healthLine(d)).doesNotContain(MARK);
        assertThat(String.join(" ", d.container().command())).doesNotContain(MARK);
        assertThat(d.container().labels().values()).noneMatch(v -> v.contains(MARK));
        assertThat(d.container().name()).doesNotContain(MARK);
        assertThat(d.toString()).doesNotContain(MARK);
        assertThat(d.container().toString()).doesNotContain(MARK);
        assertThat(d.readiness().toString()).doesNotContain(MARK);
        assertThat(d.login().toString()).doesNotContain(MARK);
    }

    @Test
    void theHealthCheckReadsThePasswordFromTheContainersOwnVariable() {
        Map<DatabaseEngine, String> reference = new LinkedHashMap<>();
        reference.put(DatabaseEngine.POSTGRESQL, "PGPASSWORD=\"$POSTGRES_PASSWORD\"");
        reference.put(DatabaseEngine.MYSQL, "MYSQL_PWD=\"$MYSQL_PASSWORD\"");
        reference.put(DatabaseEngine.MARIADB, "MYSQL_PWD=\"$MARIADB_PASSWORD\"");
        reference.put(DatabaseEngine.MONGODB, "MONGO_INITDB_ROOT_PASSWORD=\"$MONGO_INITDB_ROOT_PASSWORD\"");
        reference.put(DatabaseEngine.REDIS, "REDISCLI_AUTH=\"$REDIS_PASSWORD\"");
        reference.put(DatabaseEngine.VALKEY, "REDISCLI_AUTH=\"$VALKEY_PASSWORD\"");
        reference.put(DatabaseEngine.KEYDB, "REDISCLI_AUTH=\"$KEYDB_PASSWORD\"");
        reference.put(DatabaseEngine.DRAGONFLY, "REDISCLI_AUTH=\"$DFLY_requirepass\"");
        reference.put(DatabaseEngine.CLICKHOUSE, "CLICKHOUSE_PASSWORD=\"$CLICKHOUSE_PASSWORD\"");
        assertThat(reference).hasSize(DatabaseEngine.values().length);
        reference.forEach((engine, ref) -> assertThat(healthLine(desired(engine))).as(engine.name()).contains(ref));
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void theHealthCheckIsTheReadinessCheckOnDockersClock(DatabaseEngine engine) {
        ContainerSpec.Health health = desired(engine).container().health();
        assertThat(health.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(health.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(health.retries()).isEqualTo(3);
        String last = engine.readiness(login(engine, PASSWORD)).command()
                .get(engine.readiness(login(engine, PASSWORD)).command().size() - 1);
        // The readiness command's last argument (the statement or script) is in the health check, quoted.
        assertThat(health.test().get(1)).contains(ShellQuoting.quote(last));

        HealthCheck every30s = new HealthCheck();
        every30s.setInterval("30s");
        assertThat(desired(engine, s -> s.setHealthCheck(every30s)).container().health().interval())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theVolumeIsMountedOnTheEnginesDataDirectory() {
        Map<DatabaseEngine, String> target = new LinkedHashMap<>();
        for (DatabaseEngine e : DatabaseEngine.values()) {
            List<ContainerSpec.MountSpec> mounts = desired(e).container().mounts();
            assertThat(mounts).as(e.name()).singleElement().satisfies(m -> {
                assertThat(m.volume()).isTrue();
                assertThat(m.readOnly()).isFalse();
                assertThat(m.source()).isEqualTo("berth-shop-orders-data");
            });
            target.put(e, mounts.get(0).target());
        }
        assertThat(target).containsExactly(
                Map.entry(DatabaseEngine.POSTGRESQL, "/var/lib/postgresql/data"),
                Map.entry(DatabaseEngine.MYSQL, "/var/lib/mysql"),
                Map.entry(DatabaseEngine.MARIADB, "/var/lib/mysql"),
                Map.entry(DatabaseEngine.MONGODB, "/data/db"),
                Map.entry(DatabaseEngine.REDIS, "/data"),
                Map.entry(DatabaseEngine.VALKEY, "/data"),
                Map.entry(DatabaseEngine.KEYDB, "/data"),
                Map.entry(DatabaseEngine.DRAGONFLY, "/data"),
                Map.entry(DatabaseEngine.CLICKHOUSE, "/var/lib/clickhouse"));
    }

    @Test
    void postgresql15MountsItsDataDirectoryAndPostgresql18TheDirectoryAbove() {
        assertThat(desired(DatabaseEngine.POSTGRESQL, s -> s.setImage("postgres:15")).container().mounts().get(0)
                .target()).isEqualTo("/var/lib/postgresql/data");
        assertThat(desired(DatabaseEngine.POSTGRESQL, s -> s.setImage("postgres:15.8-alpine")).container().mounts()
                .get(0).target()).isEqualTo("/var/lib/postgresql/data");
        assertThat(desired(DatabaseEngine.POSTGRESQL, s -> s.setImage("postgres:18")).container().mounts().get(0)
                .target()).isEqualTo("/var/lib/postgresql");
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void withoutAPublicPortNothingIsPublished(DatabaseEngine engine) {
        DesiredDatabase d = desired(engine);
        assertThat(d.publicPort()).isNull();
        assertThat(d.container().ports()).extracting(ContainerSpec.PortMapping::containerPort)
                .containsExactlyElementsOf(engine.containerPorts());
        assertThat(d.container().ports()).allSatisfy(p -> {
            assertThat(p.hostPort()).isNull();
            assertThat(p.protocol()).isEqualTo("tcp");
        });
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void thePublicPortIsPublishedOnTheEnginesMainPortOnly(DatabaseEngine engine) {
        DesiredDatabase d = desired(engine, s -> s.setPublicPort(25432));
        assertThat(d.publicPort()).isEqualTo(25432);
        assertThat(d.port()).isEqualTo(engine.port());
        assertThat(d.container().ports()).filteredOn(p -> p.hostPort() != null).singleElement()
                .satisfies(p -> assertThat(p.containerPort()).isEqualTo(engine.port()));
        assertThat(d.container().ports()).hasSize(engine.containerPorts().size());
    }

    @Test
    void clickhousePublishesItsNativePortNotItsHttpPort() {
        DesiredDatabase d = desired(DatabaseEngine.CLICKHOUSE, s -> s.setPublicPort(19000));
        assertThat(d.container().ports()).containsExactly(
                new ContainerSpec.PortMapping(8123, "tcp", null, null),
                new ContainerSpec.PortMapping(9000, "tcp", null, 19000));
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void clientsOnTheBerthNetworkReachItAsNameNamespaceDb(DatabaseEngine engine) {
        DesiredDatabase d = desired(engine);
        assertThat(d.host()).isEqualTo("orders.shop.db");
        assertThat(d.network()).isEqualTo(NETWORK);
        assertThat(d.container().network()).isEqualTo(NETWORK);
        assertThat(d.container().networkAliases()).containsExactly("orders.shop.db");
        assertThat(d.container().restartPolicy()).isEqualTo("unless-stopped");
        assertThat(d.startTimeout()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theVolumeIsNamedAfterNamespaceAndNameUnlessTheSpecNamesOne() {
        DesiredDatabase byDefault = desired(DatabaseEngine.POSTGRESQL);
        assertThat(byDefault.volume()).isEqualTo("berth-shop-orders-data");

        DesiredDatabase named = desired(DatabaseEngine.POSTGRESQL, s -> s.getStorage().setVolumeName("legacy-pg"));
        assertThat(named.volume()).isEqualTo("legacy-pg");
        assertThat(named.container().mounts()).singleElement()
                .satisfies(m -> assertThat(m.source()).isEqualTo("legacy-pg"));
        assertThat(named.container().labels()).containsEntry(DesiredDatabase.LABEL_VOLUME, "legacy-pg");

        assertThat(desired(DatabaseEngine.POSTGRESQL, s -> s.getStorage().setVolumeName(" ")).volume())
                .isEqualTo("berth-shop-orders-data");
        assertThat(desired(DatabaseEngine.POSTGRESQL, s -> s.setStorage(null)).volume())
                .isEqualTo("berth-shop-orders-data");
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void theSameSpecGivesTheSameContainer(DatabaseEngine engine) {
        Consumer<StandaloneDatabaseSpec> spec = s -> {
            s.setPublicPort(15000);
            Map<String, String> config = new LinkedHashMap<>();
            config.put("b_setting", "2");
            config.put("a_setting", "1");
            s.setConfig(config);
            Resources r = new Resources();
            r.setMemory("512m");
            r.setCpus("0.5");
            s.setResources(r);
        };
        Consumer<StandaloneDatabaseSpec> sameOtherOrder = s -> {
            s.setPublicPort(15000);
            Map<String, String> config = new LinkedHashMap<>();
            config.put("a_setting", "1");
            config.put("b_setting", "2");
            s.setConfig(config);
            Resources r = new Resources();
            r.setMemory("512m");
            r.setCpus("0.5");
            s.setResources(r);
        };
        DesiredDatabase a = desired(engine, spec);
        DesiredDatabase b = desired(engine, sameOtherOrder);
        assertThat(a.configHash()).hasSize(16).matches("[0-9a-f]{16}").isEqualTo(b.configHash());
        assertThat(a.container()).isEqualTo(b.container());
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void everythingThatChangesHowTheEngineRunsChangesTheHash(DatabaseEngine engine) {
        String base = desired(engine).configHash();
        Resources memory = new Resources();
        memory.setMemory("1g");
        Resources cpus = new Resources();
        cpus.setCpus("1.5");
        HealthCheck every30s = new HealthCheck();
        every30s.setInterval("30s");
        Map<String, String> hashes = new LinkedHashMap<>();
        hashes.put("config", desired(engine, s -> s.setConfig(Map.of("maxmemory", "100mb"))).configHash());
        hashes.put("config value", desired(engine, s -> s.setConfig(Map.of("maxmemory", "200mb"))).configHash());
        hashes.put("image", desired(engine, s -> s.setImage(engine.defaultImage() + ".1")).configHash());
        hashes.put("publicPort", desired(engine, s -> s.setPublicPort(15000)).configHash());
        hashes.put("other publicPort", desired(engine, s -> s.setPublicPort(15001)).configHash());
        hashes.put("memory", desired(engine, s -> s.setResources(memory)).configHash());
        hashes.put("cpus", desired(engine, s -> s.setResources(cpus)).configHash());
        hashes.put("health interval", desired(engine, s -> s.setHealthCheck(every30s)).configHash());
        hashes.put("volume", desired(engine, s -> s.getStorage().setVolumeName("other-volume")).configHash());
        hashes.put("password", DesiredDatabase.compute(database(engine, s -> { }), login(engine, PASSWORD + "2"),
                NETWORK).configHash());
        assertThat(hashes.values()).doesNotContain(base).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void suspendAndTheDeletionPolicyDoNotReplaceTheContainer(DatabaseEngine engine) {
        DesiredDatabase base = desired(engine);
        DesiredDatabase suspended = desired(engine, s -> {
            s.setSuspend(true);
            s.getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Delete);
        });
        assertThat(suspended.configHash()).isEqualTo(base.configHash());
        assertThat(suspended.container()).isEqualTo(base.container());
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void theContainerIsNamedAfterTheDatabaseAndItsConfiguration(DatabaseEngine engine) {
        DesiredDatabase d = desired(engine);
        assertThat(d.container().name()).isEqualTo("shop-orders-db-" + d.configHash().substring(0, 8));
        DesiredDatabase changed = desired(engine, s -> s.setPublicPort(15000));
        assertThat(changed.container().name()).isNotEqualTo(d.container().name())
                .startsWith("shop-orders-db-").endsWith(changed.configHash().substring(0, 8));
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void labelsSayWhoseContainerItIsItsVolumeAndItsConfiguration(DatabaseEngine engine) {
        DesiredDatabase d = desired(engine);
        assertThat(d.container().labels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Berth.LABEL_MANAGED, "true",
                DesiredDatabase.LABEL_DATABASE, UID,
                DesiredDatabase.LABEL_VOLUME, "berth-shop-orders-data",
                Berth.LABEL_CONFIG_HASH, d.configHash()));
        assertThat(d.container().labels()).containsAllEntriesOf(
                DesiredDatabase.selector(database(engine, s -> { })));
    }

    @Test
    void eachEngineStopsWithItsOwnSignalAndAGraceLongEnoughForACheckpoint() {
        Map<DatabaseEngine, ContainerSpec.Stop> stops = new LinkedHashMap<>();
        for (DatabaseEngine e : DatabaseEngine.values()) {
            stops.put(e, desired(e).container().stop());
        }
        ContainerSpec.Stop twoMinutes = new ContainerSpec.Stop("SIGTERM", Duration.ofSeconds(120));
        ContainerSpec.Stop oneMinute = new ContainerSpec.Stop("SIGTERM", Duration.ofSeconds(60));
        assertThat(stops).containsExactly(
                Map.entry(DatabaseEngine.POSTGRESQL, new ContainerSpec.Stop("SIGINT", Duration.ofSeconds(120))),
                Map.entry(DatabaseEngine.MYSQL, twoMinutes),
                Map.entry(DatabaseEngine.MARIADB, twoMinutes),
                Map.entry(DatabaseEngine.MONGODB, twoMinutes),
                Map.entry(DatabaseEngine.REDIS, oneMinute),
                Map.entry(DatabaseEngine.VALKEY, oneMinute),
                Map.entry(DatabaseEngine.KEYDB, oneMinute),
                Map.entry(DatabaseEngine.DRAGONFLY, oneMinute),
                Map.entry(DatabaseEngine.CLICKHOUSE, twoMinutes));
    }

    @Test
    void limitsComeFromSpecResources() {
        Resources r = new Resources();
        r.setMemory("512m");
        r.setCpus("0.5");
        DesiredDatabase limited = desired(DatabaseEngine.POSTGRESQL, s -> s.setResources(r));
        assertThat(limited.container().memoryBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(limited.container().nanoCpus()).isEqualTo(500_000_000L);
        DesiredDatabase unlimited = desired(DatabaseEngine.POSTGRESQL);
        assertThat(unlimited.container().memoryBytes()).isNull();
        assertThat(unlimited.container().nanoCpus()).isNull();
    }

    @Test
    void specConfigBecomesTheServersCommandLine() {
        assertThat(desired(DatabaseEngine.POSTGRESQL, s -> s.setConfig(Map.of("max_connections", "200")))
                .container().command()).containsExactly("postgres", "-c", "max_connections=200");
        assertThat(desired(DatabaseEngine.MARIADB, s -> s.setConfig(Map.of("max_connections", "200")))
                .container().command()).containsExactly("mariadbd", "--max_connections=200");
        assertThat(desired(DatabaseEngine.REDIS, s -> s.setConfig(Map.of("maxmemory", "100mb")))
                .container().command()).endsWith("redis-server", "--maxmemory", "100mb");
        assertThat(desired(DatabaseEngine.CLICKHOUSE).container().command()).isEmpty();
    }
}
