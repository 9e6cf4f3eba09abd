package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine table against the official images' contracts (docs/databases.md). */
class DatabaseEngineTest {
    private static final String SECRET = "s3cr'et \"pw\"\\$x";
    private static final DatabaseLogin APP = new DatabaseLogin("app", SECRET, "shop");

    @Test
    void everyApiEngineHasARowAndNoRowLacksAnApiEngine() {
        assertThat(Arrays.stream(StandaloneDatabaseSpec.Engine.values()).map(DatabaseEngine::of))
                .containsExactlyInAnyOrder(DatabaseEngine.values());
        assertThat(DatabaseEngine.of(StandaloneDatabaseSpec.Engine.VALKEY)).isEqualTo(DatabaseEngine.VALKEY);
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void defaultImagesArePinnedToAVersionTag(DatabaseEngine engine) {
        String tag = engine.defaultImage().substring(engine.defaultImage().lastIndexOf(':') + 1);
        assertThat(tag).isNotEqualTo("latest").matches("(x86_64_)?v?\\d+(\\.\\d+)*");
    }

    @Test
    void portsAndDataDirectoriesAreTheOfficialImages() {
        Map<DatabaseEngine, String> table = new LinkedHashMap<>();
        for (DatabaseEngine e : DatabaseEngine.values()) {
            table.put(e, e.port() + " " + e.containerPorts() + " " + e.dataDirectory(e.defaultImage()));
        }
        assertThat(table).containsExactly(
                Map.entry(DatabaseEngine.POSTGRESQL, "5432 [5432] /var/lib/postgresql/data"),
                Map.entry(DatabaseEngine.MYSQL, "3306 [3306, 33060] /var/lib/mysql"),
                Map.entry(DatabaseEngine.MARIADB, "3306 [3306] /var/lib/mysql"),
                Map.entry(DatabaseEngine.MONGODB, "27017 [27017] /data/db"),
                Map.entry(DatabaseEngine.REDIS, "6379 [6379] /data"),
                Map.entry(DatabaseEngine.VALKEY, "6379 [6379] /data"),
                Map.entry(DatabaseEngine.KEYDB, "6379 [6379] /data"),
                Map.entry(DatabaseEngine.DRAGONFLY, "6379 [6379] /data"),
                Map.entry(DatabaseEngine.CLICKHOUSE, "9000 [8123, 9000] /var/lib/clickhouse"));
    }

    @Test
    void postgresql18MovedItsVolumeUp() {
        DatabaseEngine pg = DatabaseEngine.POSTGRESQL;
        assertThat(pg.dataDirectory("postgres:15")).isEqualTo("/var/lib/postgresql/data");
        assertThat(pg.dataDirectory("postgres:17.5-alpine")).isEqualTo("/var/lib/postgresql/data");
        assertThat(pg.dataDirectory("postgres:18")).isEqualTo("/var/lib/postgresql");
        assertThat(pg.dataDirectory("postgres:latest")).isEqualTo("/var/lib/postgresql");
        assertThat(pg.dataDirectory("postgres")).isEqualTo("/var/lib/postgresql");
    }

    @Test
    void imageMajorVersionReadsTheTagOnly() {
        assertThat(DatabaseEngine.imageMajorVersion("postgres:15")).hasValue(15);
        assertThat(DatabaseEngine.imageMajorVersion("postgres:15.4-alpine")).hasValue(15);
        assertThat(DatabaseEngine.imageMajorVersion("registry.local:5000/team/postgis:16-3.4")).hasValue(16);
        assertThat(DatabaseEngine.imageMajorVersion("postgres:17@sha256:abcd")).hasValue(17);
        assertThat(DatabaseEngine.imageMajorVersion("registry.local:5000/postgres")).isEqualTo(OptionalInt.empty());
        assertThat(DatabaseEngine.imageMajorVersion("postgres:latest")).isEmpty();
        assertThat(DatabaseEngine.imageMajorVersion("postgres")).isEmpty();
        assertThat(DatabaseEngine.imageMajorVersion(null)).isEmpty();
    }

    @Test
    void usernamesAndDatabasesDefaultAsTheImagesDo() {
        assertThat(DatabaseEngine.POSTGRESQL.username(null)).isEqualTo("postgres");
        assertThat(DatabaseEngine.POSTGRESQL.database(null, "app")).isEqualTo("app");
        assertThat(DatabaseEngine.MYSQL.username(null)).isEqualTo("mysql");
        assertThat(DatabaseEngine.MYSQL.database(null, "mysql")).isEqualTo("app");
        assertThat(DatabaseEngine.MARIADB.username("shop")).isEqualTo("shop");
        assertThat(DatabaseEngine.MONGODB.username(null)).isEqualTo("root");
        assertThat(DatabaseEngine.MONGODB.database(null, "root")).isEqualTo("admin");
        assertThat(DatabaseEngine.CLICKHOUSE.database(null, "default")).isEqualTo("default");
        for (DatabaseEngine redisLike : List.of(DatabaseEngine.REDIS, DatabaseEngine.VALKEY, DatabaseEngine.KEYDB,
                DatabaseEngine.DRAGONFLY)) {
            assertThat(redisLike.namedUsers()).isFalse();
            assertThat(redisLike.username("shop")).isEqualTo("default");
            assertThat(redisLike.database("shop", "default")).isEqualTo("0");
        }
    }

    @Test
    void environmentIsEachOfficialImagesFirstStartContract() {
        assertThat(DatabaseEngine.POSTGRESQL.environment(APP)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "POSTGRES_USER", "app", "POSTGRES_PASSWORD", SECRET, "POSTGRES_DB", "shop"));
        // MYSQL_USER=root is refused by the image: root alone, reachable from anywhere.
        assertThat(DatabaseEngine.MYSQL.environment(APP)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "MYSQL_ROOT_PASSWORD", SECRET, "MYSQL_ROOT_HOST", "localhost", "MYSQL_USER", "app",
                "MYSQL_PASSWORD", SECRET, "MYSQL_DATABASE", "shop"));
        assertThat(DatabaseEngine.MYSQL.environment(new DatabaseLogin("root", SECRET, "shop")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("MYSQL_ROOT_PASSWORD", SECRET, "MYSQL_DATABASE", "shop"));
        assertThat(DatabaseEngine.MARIADB.environment(APP)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "MARIADB_ROOT_PASSWORD", SECRET, "MARIADB_ROOT_HOST", "localhost", "MARIADB_USER", "app",
                "MARIADB_PASSWORD", SECRET, "MARIADB_DATABASE", "shop"));
        assertThat(DatabaseEngine.MONGODB.environment(APP)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "MONGO_INITDB_ROOT_USERNAME", "app", "MONGO_INITDB_ROOT_PASSWORD", SECRET,
                "MONGO_INITDB_DATABASE", "shop"));
        assertThat(DatabaseEngine.MONGODB.environment(new DatabaseLogin("root", SECRET, "admin")))
                .doesNotContainKey("MONGO_INITDB_DATABASE");
        assertThat(DatabaseEngine.REDIS.environment(APP)).containsExactlyEntriesOf(Map.of("REDIS_PASSWORD", SECRET));
        assertThat(DatabaseEngine.VALKEY.environment(APP)).containsExactlyEntriesOf(Map.of("VALKEY_PASSWORD", SECRET));
        assertThat(DatabaseEngine.KEYDB.environment(APP)).containsExactlyEntriesOf(Map.of("KEYDB_PASSWORD", SECRET));
        assertThat(DatabaseEngine.DRAGONFLY.environment(APP)).containsExactlyEntriesOf(Map.of("DFLY_requirepass", SECRET));
        assertThat(DatabaseEngine.CLICKHOUSE.environment(APP)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "CLICKHOUSE_USER", "app", "CLICKHOUSE_PASSWORD", SECRET, "CLICKHOUSE_DB", "shop",
                "CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT", "1"));
    }

    @Test
    void configBecomesArgumentsInEachEnginesSyntaxSortedByKey() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("max_connections", "200");
        config.put("log_min_duration_statement", "500");
        assertThat(DatabaseEngine.POSTGRESQL.command(config)).containsExactly(
                "postgres", "-c", "log_min_duration_statement=500", "-c", "max_connections=200");
        assertThat(DatabaseEngine.MYSQL.command(Map.of("max-connections", "200")))
                .containsExactly("mysqld", "--max-connections=200");
        assertThat(DatabaseEngine.MARIADB.command(Map.of("max_connections", "200")))
                .containsExactly("mariadbd", "--max_connections=200");
        assertThat(DatabaseEngine.MONGODB.command(Map.of("wiredTigerCacheSizeGB", "1")))
                .containsExactly("mongod", "--wiredTigerCacheSizeGB=1");
        assertThat(DatabaseEngine.DRAGONFLY.command(Map.of("maxmemory", "1gb")))
                .containsExactly("dragonfly", "--logtostderr", "--maxmemory=1gb");
        assertThat(DatabaseEngine.CLICKHOUSE.command(Map.of())).isEmpty();
        assertThat(DatabaseEngine.CLICKHOUSE.command(Map.of("max_connections", "200")))
                .containsExactly("--", "--max_connections=200");
        assertThat(DatabaseEngine.POSTGRESQL.command(null)).containsExactly("postgres");
    }

    @Test
    void redisFamilyTakesItsPasswordFromStdinNeverFromArgv() {
        List<String> redis = DatabaseEngine.REDIS.command(Map.of("maxmemory", "100mb", "appendonly", "yes"));
        assertThat(redis.subList(0, 2)).containsExactly("sh", "-c");
        assertThat(redis.get(2)).contains("exec docker-entrypoint.sh \"$0\" \"$@\" -", "requirepass",
                "\"$REDIS_PASSWORD\"");
        assertThat(redis.subList(3, redis.size()))
                .containsExactly("redis-server", "--appendonly", "yes", "--maxmemory", "100mb");
        assertThat(DatabaseEngine.VALKEY.command(Map.of()).get(2)).contains("\"$VALKEY_PASSWORD\"");
        assertThat(DatabaseEngine.VALKEY.command(Map.of()).get(3)).isEqualTo("valkey-server");
        assertThat(DatabaseEngine.KEYDB.command(Map.of()).subList(3, 5))
                .containsExactly("keydb-server", "/etc/keydb/keydb.conf");
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void noPasswordInAnyCommandLine(DatabaseEngine engine) {
        Map<String, String> config = Map.of("some_setting", "1");
        assertThat(engine.command(config)).noneMatch(arg -> arg.contains(SECRET) || arg.contains("s3cr"));
        ReadinessCheck check = engine.readiness(APP);
        assertThat(check.command()).noneMatch(arg -> arg.contains("s3cr"));
        assertThat(check.env()).containsValue(SECRET);
        assertThat(check.secretNames()).allMatch(name -> SECRET.equals(check.env().get(name)));
        List<String> health = check.dockerHealthTest(engine.environment(APP));
        assertThat(health.get(0)).isEqualTo("CMD-SHELL");
        assertThat(health.get(1)).doesNotContain("s3cr");
        assertThat(check.toString()).doesNotContain("s3cr");
    }

    @Test
    void readinessLogsInOverTcpWithTheEnginesOwnClientAndPasswordVariable() {
        ReadinessCheck pg = DatabaseEngine.POSTGRESQL.readiness(APP);
        assertThat(pg.command()).containsExactly("psql", "-h", "127.0.0.1", "-p", "5432", "-U", "app", "-d", "shop",
                "-tAc", "SELECT 1");
        assertThat(pg.secretNames()).containsExactly("PGPASSWORD");
        ReadinessCheck mysql = DatabaseEngine.MYSQL.readiness(APP);
        assertThat(mysql.command()).startsWith("mysql", "--protocol=TCP", "-h", "127.0.0.1", "-P", "3306", "-u", "app");
        assertThat(mysql.secretNames()).containsExactly("MYSQL_PWD");
        assertThat(DatabaseEngine.MARIADB.readiness(APP).command()).startsWith("mariadb", "--protocol=TCP");
        assertThat(DatabaseEngine.REDIS.readiness(APP).command().get(2))
                .isEqualTo("redis-cli -h 127.0.0.1 -p 6379 ping | grep -qx PONG");
        assertThat(DatabaseEngine.VALKEY.readiness(APP).command().get(2)).startsWith("valkey-cli -h 127.0.0.1");
        assertThat(DatabaseEngine.KEYDB.readiness(APP).command().get(2)).startsWith("keydb-cli -h 127.0.0.1");
        assertThat(DatabaseEngine.REDIS.readiness(APP).secretNames()).containsExactly("REDISCLI_AUTH");
        assertThat(DatabaseEngine.DRAGONFLY.readiness(APP).command().get(2)).contains("loading:0");
        // Init-time servers of these two listen on loopback only: the check goes to the container's own address.
        assertThat(DatabaseEngine.MONGODB.readiness(APP).command().get(2))
                .contains("mongosh", "--host \"$(hostname)\"", "process.env.MONGO_INITDB_ROOT_PASSWORD");
        assertThat(DatabaseEngine.CLICKHOUSE.readiness(APP).command().get(2))
                .contains("clickhouse-client --config-file", "--host \"$(hostname)\" --port 9000");
    }

    @Test
    void dockerHealthTestRefersToTheContainerVariableHoldingTheSecret() {
        ReadinessCheck check = DatabaseEngine.POSTGRESQL.readiness(APP);
        assertThat(check.dockerHealthTest(DatabaseEngine.POSTGRESQL.environment(APP))).containsExactly("CMD-SHELL",
                "PGCONNECT_TIMEOUT=5 PGPASSWORD=\"$POSTGRES_PASSWORD\" exec psql -h 127.0.0.1 -p 5432 -U app -d shop"
                        + " -tAc 'SELECT 1'");
        assertThatThrownBy(() -> check.dockerHealthTest(Map.of("OTHER", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("s3cr");
    }

    @Test
    void stopIsEachEnginesGracefulSignalWithRoomForACheckpoint() {
        assertThat(DatabaseEngine.POSTGRESQL.stopSignal()).isEqualTo("SIGINT");
        for (DatabaseEngine e : DatabaseEngine.values()) {
            assertThat(e.stopGrace()).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(60));
            if (e != DatabaseEngine.POSTGRESQL) {
                assertThat(e.stopSignal()).isEqualTo("SIGTERM");
            }
        }
    }

    @Test
    void connectionUrisEscapeCredentialsAndJdbcOnlyForSql() {
        DatabaseLogin login = new DatabaseLogin("app", "p@ss:w/rd ?", "shop");
        ConnectionDetails pg = DatabaseEngine.POSTGRESQL.connection("db-shop", 5432, login);
        assertThat(pg.uri()).isEqualTo("postgresql://app:p%40ss%3Aw%2Frd%20%3F@db-shop:5432/shop");
        assertThat(pg.jdbcUri()).isEqualTo("jdbc:postgresql://db-shop:5432/shop");
        assertThat(pg.secretData()).containsOnlyKeys("uri", "host", "port", "username", "password", "database", "jdbcUri")
                .containsEntry("password", "p@ss:w/rd ?").containsEntry("port", "5432");
        assertThat(pg.toString()).doesNotContain("p@ss", "p%40ss");
        assertThat(DatabaseEngine.MYSQL.connection("h", 3306, login).jdbcUri()).isEqualTo("jdbc:mysql://h:3306/shop");
        assertThat(DatabaseEngine.MARIADB.connection("h", 3306, login).jdbcUri()).isEqualTo("jdbc:mariadb://h:3306/shop");
        assertThat(DatabaseEngine.MONGODB.connection("h", 27017, login).uri())
                .isEqualTo("mongodb://app:p%40ss%3Aw%2Frd%20%3F@h:27017/shop?authSource=admin");
        ConnectionDetails redis = DatabaseEngine.REDIS.connection("h", 6379, new DatabaseLogin("default", "pw", "0"));
        assertThat(redis.uri()).isEqualTo("redis://default:pw@h:6379/0");
        assertThat(redis.jdbcUri()).isNull();
        assertThat(redis.secretData()).doesNotContainKey("jdbcUri");
        assertThat(DatabaseEngine.CLICKHOUSE.connection("h", 9000, login).uri())
                .isEqualTo("clickhouse://app:p%40ss%3Aw%2Frd%20%3F@h:9000/shop");
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void passwordChangeCarriesBothPasswordsOnlyInItsEnvironment(DatabaseEngine engine) {
        String next = "n3w'pw\"\\$(x)`y` ;--";
        PasswordChange change = engine.passwordChange(APP, next);
        if (engine == DatabaseEngine.CLICKHOUSE) {
            assertThat(change).isInstanceOf(PasswordChange.AtRestart.class);
            assertThat(((PasswordChange.AtRestart) change).why()).contains("CLICKHOUSE_PASSWORD", "every start");
            return;
        }
        PasswordChange.InPlace exec = (PasswordChange.InPlace) change;
        assertThat(exec.command()).hasSize(3).startsWith("sh", "-c");
        assertThat(exec.command()).noneMatch(arg -> arg.contains("s3cr") || arg.contains("n3w"));
        assertThat(exec.env()).containsEntry("BERTH_OLD_PASSWORD", SECRET).containsEntry("BERTH_NEW_PASSWORD", next)
                .containsEntry("BERTH_USERNAME", "app").containsEntry("BERTH_DATABASE", "shop");
        assertThat(exec.secretNames()).contains("BERTH_OLD_PASSWORD", "BERTH_NEW_PASSWORD");
        exec.env().forEach((name, value) -> {
            if (value.contains("s3cr") || value.contains("n3w")) {
                assertThat(exec.secretNames()).as("variable %s holds a password", name).contains(name);
            }
        });
        assertThat(exec.toString()).doesNotContain("s3cr", "n3w");
        assertThat(exec.envEntries()).isSorted();
        // The engine's own output (whose errors may quote the statement) goes nowhere, or is only compared: only exit
        // statuses come back.
        assertThat(exec.command().get(2)).contains("/dev/null").doesNotContain("echo");
        assertThat(exec.failureMessage(PasswordChange.NO_LOGIN, "shop-credentials"))
                .contains("shop-credentials", "neither").doesNotContain("s3cr", "n3w");
        assertThat(exec.failureMessage(PasswordChange.REFUSED, "shop-credentials")).contains("refused");
    }

    @Test
    void passwordChangeUsesEachEnginesOwnStatementAndTriesTheNewPasswordFirst() {
        PasswordChange.InPlace pg = (PasswordChange.InPlace) DatabaseEngine.POSTGRESQL.passwordChange(APP, "n'w\\x");
        assertThat(pg.env()).containsEntry("BERTH_STATEMENT", "ALTER ROLE CURRENT_USER PASSWORD E'n''w\\\\x';");
        assertThat(pg.command().get(2)).contains("psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432",
                "export PGPASSWORD=\"$BERTH_NEW_PASSWORD\"; \"$1\" && return 0",
                "export PGPASSWORD=\"$BERTH_OLD_PASSWORD\"; \"$1\" || return 10", "\"$2\" || return 11",
                "change ok alter");
        assertThat(pg.secretNames()).contains("BERTH_STATEMENT");

        PasswordChange.InPlace mysql = (PasswordChange.InPlace) DatabaseEngine.MYSQL.passwordChange(APP, "n'w\\x");
        assertThat(mysql.env()).containsEntry("BERTH_STATEMENT",
                "SET SESSION sql_mode = ''; ALTER USER CURRENT_USER() IDENTIFIED BY 'n''w\\\\x';");
        assertThat(mysql.command().get(2)).contains("mysql --protocol=TCP -h 127.0.0.1 -P 3306",
                "export MYSQL_PWD=", "change ok alter || exit $?", "mysql --protocol=SOCKET -u root",
                "change root_ok root_alter");
        PasswordChange.InPlace mariadb = (PasswordChange.InPlace) DatabaseEngine.MARIADB.passwordChange(APP, "n'w");
        assertThat(mariadb.command().get(2)).contains("mariadb --protocol=TCP").doesNotContain("mysql ");
        assertThat(mariadb.env()).containsEntry("BERTH_STATEMENT",
                "SET SESSION sql_mode = ''; SET PASSWORD = PASSWORD('n''w');");

        String redis = ((PasswordChange.InPlace) DatabaseEngine.REDIS.passwordChange(APP, "x")).command().get(2);
        assertThat(redis).contains("export REDISCLI_AUTH=", "redis-cli -h 127.0.0.1 -p 6379 ping",
                "printf '%s' \"$BERTH_NEW_PASSWORD\" | redis-cli -h 127.0.0.1 -p 6379 -x config set requirepass");
        assertThat(((PasswordChange.InPlace) DatabaseEngine.VALKEY.passwordChange(APP, "x")).command().get(2))
                .contains("valkey-cli -h 127.0.0.1 -p 6379 -x config set requirepass");
        assertThat(((PasswordChange.InPlace) DatabaseEngine.KEYDB.passwordChange(APP, "x")).command().get(2))
                .contains("keydb-cli -h 127.0.0.1");
        assertThat(((PasswordChange.InPlace) DatabaseEngine.DRAGONFLY.passwordChange(APP, "x")).command().get(2))
                .contains("redis-cli -h 127.0.0.1 -p 6379 -x config set requirepass");
        assertThat(((PasswordChange.InPlace) DatabaseEngine.REDIS.passwordChange(APP, "x")).secretNames())
                .containsExactlyInAnyOrder("BERTH_OLD_PASSWORD", "BERTH_NEW_PASSWORD");

        String mongo = ((PasswordChange.InPlace) DatabaseEngine.MONGODB.passwordChange(APP, "x")).command().get(2);
        assertThat(mongo).contains("mongosh", "--host \"$(hostname)\" --port 27017",
                "a.changeUserPassword(e.BERTH_USERNAME, e.BERTH_NEW_PASSWORD)", "quit(10)", "quit(11)");
    }

    @Test
    void sqlLiteralsHoldAnyTextAndNothingEscapesThem() {
        assertThat(DatabaseEngine.postgresLiteral("plain")).isEqualTo("E'plain'");
        assertThat(DatabaseEngine.postgresLiteral("it's")).isEqualTo("E'it''s'");
        assertThat(DatabaseEngine.postgresLiteral("a\\'; DROP ROLE x; --")).isEqualTo("E'a\\\\''; DROP ROLE x; --'");
        assertThat(DatabaseEngine.mysqlLiteral("a\\' OR '1")).isEqualTo("'a\\\\'' OR ''1'");
        // Inside the literal every quote is doubled and every backslash is doubled: an odd run of either never occurs,
        // so the literal ends only at its last character.
        for (String s : List.of("'", "\\", "\\'", "''\\\\'", "x\n'y", "ü€'")) {
            String body = DatabaseEngine.postgresLiteral(s).substring(2, DatabaseEngine.postgresLiteral(s).length() - 1);
            assertThat(body.replace("''", "").replace("\\\\", "")).doesNotContain("'", "\\");
        }
    }

    @Test
    void passwordChangeIsDueOnlyWhenTheAppliedPasswordIsKnownAndDiffers() {
        assertThat(PasswordChange.due(java.util.Optional.empty(), APP)).isFalse();
        assertThat(PasswordChange.due(java.util.Optional.of(SECRET), APP)).isFalse();
        assertThat(PasswordChange.due(java.util.Optional.of("old"), APP)).isTrue();
    }

    @Test
    void loginHidesItsPassword() {
        assertThat(APP.toString()).doesNotContain("s3cr").contains("app", "shop");
    }
}
