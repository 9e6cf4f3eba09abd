package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.controller.database.DatabaseEngine;
import dev.berth.controller.database.DatabaseLogin;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DumpCommandTest {
    private static final String PASSWORD = "pw-'\"\\ <&>$x-secret";
    private static final DatabaseLogin LOGIN = new DatabaseLogin("app", PASSWORD, "shop");

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void thePasswordIsOnlyInTheEnvironmentAndMarkedSecret(DatabaseEngine engine) {
        for (boolean all : List.of(false, true)) {
            DumpCommand dump = DumpCommand.of(engine, LOGIN, all);
            assertThat(String.join(" ", dump.command())).doesNotContain(PASSWORD).doesNotContain("pw-");
            assertThat(dump.env()).containsValue(PASSWORD);
            assertThat(dump.secretValues()).containsExactly(PASSWORD);
            assertThat(dump.toString()).doesNotContain(PASSWORD);
            assertThat(BackupName.EXTENSIONS).contains(dump.extension());
        }
        RestoreCommand.of(engine, LOGIN, DumpCommand.of(engine, LOGIN, false).extension()).ifPresent(r -> {
            assertThat(String.join(" ", r.command())).doesNotContain(PASSWORD);
            assertThat(r.secretValues()).containsExactly(PASSWORD);
            assertThat(r.toString()).doesNotContain(PASSWORD);
        });
    }

    @Test
    void postgresqlDumpsOneDatabaseInTheCustomFormatAndRestoresItInOneTransaction() {
        DumpCommand dump = DumpCommand.of(DatabaseEngine.POSTGRESQL, LOGIN, false);
        assertThat(dump.command()).containsExactly("pg_dump", "--format=custom", "--no-password", "-h", "127.0.0.1",
                "-p", "5432", "-U", "app", "-d", "shop");
        assertThat(dump.env()).isEqualTo(Map.of("PGPASSWORD", PASSWORD));
        assertThat(dump.compress()).as("the custom format is compressed by pg_dump").isFalse();
        assertThat(dump.extension()).isEqualTo("dump");
        assertThat(RestoreCommand.of(DatabaseEngine.POSTGRESQL, LOGIN, "dump").orElseThrow().command())
                .containsExactly("pg_restore", "--no-password", "-h", "127.0.0.1", "-p", "5432", "-U", "app", "-d",
                        "shop", "--no-owner", "--single-transaction", "--exit-on-error");
        assertThat(RestoreCommand.of(DatabaseEngine.POSTGRESQL, LOGIN, "dump").orElseThrow().decompress()).isFalse();
    }

    @Test
    void postgresqlAllDatabasesIsPgDumpallCompressedByBerth() {
        DumpCommand dump = DumpCommand.of(DatabaseEngine.POSTGRESQL, LOGIN, true);
        assertThat(dump.command()).startsWith("pg_dumpall").contains("-U", "app", "-l", "shop");
        assertThat(dump.compress()).isTrue();
        assertThat(dump.extension()).isEqualTo("sql.gz");
        // Restored by psql from the maintenance database, gunzipped, the script through ClusterDumpFilter; the
        // password only in the environment.
        RestoreCommand restore = RestoreCommand.of(DatabaseEngine.POSTGRESQL, LOGIN, "sql.gz").orElseThrow();
        assertThat(restore.command()).startsWith("psql").contains("ON_ERROR_STOP=1", "-U", "app")
                .endsWith("-d", "postgres").doesNotContain(LOGIN.password());
        assertThat(restore.decompress()).isTrue();
        assertThat(restore.secretValues()).containsExactly(LOGIN.password());
        assertThat(restore.filter().apply(java.io.InputStream.nullInputStream()))
                .isInstanceOf(ClusterDumpFilter.class);
        assertThat(RestoreCommand.of(DatabaseEngine.POSTGRESQL, LOGIN, "tar")).isEmpty();
    }

    @Test
    void mysqlAndMariadbDumpConsistentlyWithRoutinesEventsAndTriggers() {
        for (DatabaseEngine engine : List.of(DatabaseEngine.MYSQL, DatabaseEngine.MARIADB)) {
            DumpCommand dump = DumpCommand.of(engine, LOGIN, false);
            assertThat(dump.command().get(0)).isEqualTo(engine == DatabaseEngine.MYSQL ? "mysqldump" : "mariadb-dump");
            assertThat(dump.command()).contains("--single-transaction", "--quick", "--routines", "--events",
                    "--triggers", "--no-tablespaces", "-u", "app").endsWith("--databases", "shop");
            assertThat(dump.env()).isEqualTo(Map.of("MYSQL_PWD", PASSWORD));
            assertThat(dump.compress()).isTrue();
            if (engine == DatabaseEngine.MYSQL) {
                assertThat(dump.command()).as("no FLUSH TABLES for GTIDs: the database's user may not")
                        .contains("--set-gtid-purged=OFF");
            } else {
                assertThat(dump.command()).noneMatch(a -> a.startsWith("--set-gtid"));
            }
            assertThat(DumpCommand.of(engine, LOGIN, true).command()).endsWith("--all-databases")
                    .doesNotContain("shop");
            RestoreCommand restore = RestoreCommand.of(engine, LOGIN, "sql.gz").orElseThrow();
            assertThat(restore.command().get(0)).isEqualTo(engine == DatabaseEngine.MYSQL ? "mysql" : "mariadb");
            assertThat(restore.decompress()).isTrue();
        }
    }

    @Test
    void mongodbDumpsAGzippedArchiveWithThePasswordInAConfigFileMadeForTheCall() {
        DumpCommand dump = DumpCommand.of(DatabaseEngine.MONGODB, LOGIN, false);
        assertThat(dump.command()).hasSize(3).startsWith("sh", "-c");
        assertThat(dump.command().get(2)).contains("mongodump", "--archive --gzip", "--authenticationDatabase admin",
                "--db \"$BERTH_DB_NAME\"", "--config \"$f\"", "rm -f \"$f\"", "chmod 600");
        assertThat(dump.env()).containsEntry("BERTH_DB_USER", "app").containsEntry("BERTH_DB_NAME", "shop")
                .containsEntry(DumpCommand.PASSWORD_VARIABLE, PASSWORD);
        assertThat(dump.compress()).as("mongodump gzips itself").isFalse();
        assertThat(dump.extension()).isEqualTo("archive.gz");
        assertThat(DumpCommand.of(DatabaseEngine.MONGODB, LOGIN, true).command().get(2)).doesNotContain("--db");
        assertThat(RestoreCommand.of(DatabaseEngine.MONGODB, LOGIN, "archive.gz").orElseThrow().command().get(2))
                .contains("mongorestore", "--archive --gzip");
    }

    @ParameterizedTest
    @EnumSource(value = DatabaseEngine.class, names = {"REDIS", "VALKEY", "KEYDB", "DRAGONFLY"})
    void theRedisFamilyStreamsAnRdbThroughItsCli(DatabaseEngine engine) {
        DumpCommand dump = DumpCommand.of(engine, LOGIN, false);
        String cli = switch (engine) {
            case VALKEY -> "valkey-cli";
            case KEYDB -> "keydb-cli";
            default -> "redis-cli";
        };
        assertThat(dump.command()).containsExactly(cli, "-h", "127.0.0.1", "-p", "6379", "--rdb", "-");
        assertThat(dump.env()).isEqualTo(Map.of("REDISCLI_AUTH", PASSWORD));
        assertThat(dump.compress()).isTrue();
        assertThat(dump.rdbStream()).isTrue();
        assertThat(dump.extension()).isEqualTo("rdb.gz");
        assertThat(RestoreCommand.of(engine, LOGIN, "rdb.gz")).as("an RDB is placed before start").isEmpty();
        assertThat(RestoreCommand.placedBeforeStart(engine)).isTrue();
        RestoreCommand place = RestoreCommand.placeRdb("/data");
        assertThat(place.command()).endsWith("/data");
        assertThat(place.decompress()).isTrue();
        assertThat(place.env()).isEmpty();
        assertParses(place.command().get(2));
    }

    @Test
    void clickhouseDumpsSchemaAndDataOfEveryTableWithTheDatabaseAsAnArgument() throws Exception {
        DumpCommand dump = DumpCommand.of(DatabaseEngine.CLICKHOUSE, LOGIN, false);
        assertThat(dump.command()).hasSize(5).startsWith("sh", "-c").endsWith("clickhouse-dump", "shop");
        assertThat(dump.command().get(2)).contains("SHOW CREATE TABLE", "FORMAT TabSeparated", "--port 9000",
                "rm -f \"$f\"");
        assertThat(dump.env()).containsEntry(DumpCommand.PASSWORD_VARIABLE, PASSWORD);
        assertThat(dump.compress()).isTrue();
        // Restored by a shell step reading the same format: DDL up to a line ';', an INSERT's rows up to '\.'.
        RestoreCommand restore = RestoreCommand.of(DatabaseEngine.CLICKHOUSE, LOGIN, "sql.gz").orElseThrow();
        assertThat(restore.command()).hasSize(3).startsWith("sh", "-c");
        assertThat(restore.command().get(2)).contains("FORMAT TabSeparated", "--port 9000", "rm -f \"$f\"")
                .doesNotContain(PASSWORD);
        assertThat(restore.env()).containsEntry(DumpCommand.PASSWORD_VARIABLE, PASSWORD);
        assertThat(restore.decompress()).isTrue();
    }

    /** The shell steps are valid POSIX shell (checked by the machine's sh -n: parsing only, nothing runs). */
    @ParameterizedTest
    @EnumSource(value = DatabaseEngine.class, names = {"MONGODB", "CLICKHOUSE"})
    void shellStepsParse(DatabaseEngine engine) throws Exception {
        assertParses(DumpCommand.of(engine, LOGIN, false).command().get(2));
        RestoreCommand.of(engine, LOGIN, DumpCommand.of(engine, LOGIN, false).extension())
                .ifPresent(r -> assertParses(r.command().get(2)));
        assertParses(BackupProcesses.endCommand(java.util.UUID.randomUUID()).get(2));
    }

    private static void assertParses(String script) {
        try {
            Process p = new ProcessBuilder("sh", "-n", "-c", script).redirectErrorStream(true).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out.toString(StandardCharsets.UTF_8)).isZero();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
