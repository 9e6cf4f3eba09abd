package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Asking each engine for its version, and reading its answer. */
class EngineVersionTest {
    /** Looked for instead of the whole password, which a quoted copy would not contain verbatim. */
    private static final String MARK = "Vq8R3nTz";
    private static final String PASSWORD = MARK + "'pw\"$PATH`x\\<&>r2Lt";

    private static DatabaseLogin login(DatabaseEngine engine) {
        String user = engine.username("app");
        return new DatabaseLogin(user, PASSWORD, engine.database("orders", user));
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void theQueryLogsInLikeTheReadinessCheckWithThePasswordOnlyInItsEnvironment(DatabaseEngine engine) {
        ReadinessCheck query = EngineVersion.query(engine, login(engine));
        ReadinessCheck readiness = engine.readiness(login(engine));
        assertThat(String.join(" ", query.command())).doesNotContain(MARK);
        assertThat(query.toString()).doesNotContain(MARK);
        assertThat(query.env()).isEqualTo(readiness.env());
        assertThat(query.secretNames()).isEqualTo(readiness.secretNames()).isNotEmpty();
        assertThat(query.secretNames()).allSatisfy(n -> assertThat(query.env().get(n)).isEqualTo(PASSWORD));
        assertThat(query.command()).as("a query of its own, not the readiness check")
                .isNotEqualTo(readiness.command());
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void withReadinessRunsTheCheckThenTheQueryInOneExecThePasswordOnlyInItsEnvironment(DatabaseEngine engine) {
        ReadinessCheck both = EngineVersion.withReadiness(engine, login(engine));
        ReadinessCheck readiness = engine.readiness(login(engine));
        assertThat(both.command()).hasSize(3).startsWith("sh", "-c");
        assertThat(String.join(" ", both.command())).doesNotContain(MARK);
        assertThat(both.env()).isEqualTo(readiness.env());
        assertThat(both.secretNames()).isEqualTo(readiness.secretNames());
        String script = both.command().get(2);
        // The check's exit status decides; only then the query, whose failure does not count.
        assertThat(script).endsWith(" 2>/dev/null; true; }").contains(" >/dev/null 2>&1 && { ");
        assertThat(script.indexOf(readiness.command().get(0))).isZero();
    }

    @Test
    void eachEngineIsAskedInItsOwnWay() {
        Map<DatabaseEngine, String> asked = new LinkedHashMap<>();
        for (DatabaseEngine e : DatabaseEngine.values()) {
            asked.put(e, String.join(" ", EngineVersion.query(e, login(e)).command()));
        }
        assertThat(asked.get(DatabaseEngine.POSTGRESQL))
                .isEqualTo("psql -h 127.0.0.1 -p 5432 -U app -d orders -tAc SHOW server_version");
        assertThat(asked.get(DatabaseEngine.MYSQL)).startsWith("mysql --protocol=TCP").endsWith("-e SELECT VERSION()");
        assertThat(asked.get(DatabaseEngine.MARIADB)).startsWith("mariadb --protocol=TCP")
                .endsWith("-e SELECT VERSION()");
        assertThat(asked.get(DatabaseEngine.MONGODB)).contains("mongosh").endsWith("db.version()'")
                .doesNotContain("ping");
        assertThat(asked.get(DatabaseEngine.REDIS)).isEqualTo("redis-cli -h 127.0.0.1 -p 6379 info server");
        assertThat(asked.get(DatabaseEngine.VALKEY)).isEqualTo("valkey-cli -h 127.0.0.1 -p 6379 info server");
        assertThat(asked.get(DatabaseEngine.KEYDB)).isEqualTo("keydb-cli -h 127.0.0.1 -p 6379 info server");
        assertThat(asked.get(DatabaseEngine.DRAGONFLY)).isEqualTo("redis-cli -h 127.0.0.1 -p 6379 info server");
        assertThat(asked.get(DatabaseEngine.CLICKHOUSE)).contains("--query 'SELECT version()'")
                .doesNotContain("SELECT 1").contains("rm -f");
    }

    @Test
    void postgresqlsVersionIsTheFirstWordOfServerVersion() {
        assertThat(EngineVersion.parse(DatabaseEngine.POSTGRESQL, "15.8 (Debian 15.8-0+deb12u1)\n"))
                .isEqualTo("15.8");
        assertThat(EngineVersion.parse(DatabaseEngine.POSTGRESQL, "17.2\n")).isEqualTo("17.2");
    }

    @Test
    void mariadbsVersionIsTheValueUnderItsHeaderKeptWhole() {
        assertThat(EngineVersion.parse(DatabaseEngine.MARIADB, "VERSION()\n10.11.6-MariaDB-0+deb12u1\n"))
                .isEqualTo("10.11.6-MariaDB-0+deb12u1");
        assertThat(EngineVersion.parse(DatabaseEngine.MYSQL, "VERSION()\n8.4.3\n")).isEqualTo("8.4.3");
    }

    @Test
    void redisVersionComesFromInfoServer() {
        String info = "# Server\r\nredis_version:7.4.1\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n"
                + "os:Linux 6.1.0 x86_64\r\ntcp_port:6379\r\n";
        assertThat(EngineVersion.parse(DatabaseEngine.REDIS, info)).isEqualTo("7.4.1");
    }

    @Test
    void valkeyReportsItsOwnVersionNotTheRedisItIsCompatibleWith() {
        String info = "# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.2\r\n"
                + "valkey_release_stage:ga\r\nredis_git_sha1:00000000\r\n";
        assertThat(EngineVersion.parse(DatabaseEngine.VALKEY, info)).isEqualTo("8.0.2");
    }

    @Test
    void clickhousesVersionIsItsOutputLine() {
        assertThat(EngineVersion.parse(DatabaseEngine.CLICKHOUSE, "18.16.1\n")).isEqualTo("18.16.1");
        assertThat(EngineVersion.parse(DatabaseEngine.CLICKHOUSE, "25.8.2.29\n")).isEqualTo("25.8.2.29");
    }

    @Test
    void mongodbsVersionIsItsLastLine() {
        assertThat(EngineVersion.parse(DatabaseEngine.MONGODB, "8.0.4\n")).isEqualTo("8.0.4");
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void noOutputIsNoVersion(DatabaseEngine engine) {
        assertThat(EngineVersion.parse(engine, "")).isNull();
        assertThat(EngineVersion.parse(engine, " \n\r\n")).isNull();
        assertThat(EngineVersion.parse(engine, null)).isNull();
    }

    @Test
    void infoWithoutAVersionFieldIsNoVersion() {
        assertThat(EngineVersion.parse(DatabaseEngine.REDIS, "NOAUTH Authentication required.\n")).isNull();
        assertThat(EngineVersion.parse(DatabaseEngine.KEYDB, "# Server\r\ntcp_port:6379\r\n")).isNull();
    }
}
