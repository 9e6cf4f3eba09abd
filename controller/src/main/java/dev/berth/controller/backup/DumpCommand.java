package dev.berth.controller.backup;

import dev.berth.controller.database.DatabaseEngine;
import dev.berth.controller.database.DatabaseLogin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dump tool of each engine, run inside the database container by {@code docker exec}, writing the dump to stdout
 * (docs/backups.md). The password is only ever in {@link #env()}, under the name the engine's client reads
 * ({@code PGPASSWORD}, {@code MYSQL_PWD}, {@code REDISCLI_AUTH}) or, for clients that read no such variable, under
 * Berth's own {@code BERTH_DB_PASSWORD}, which a small shell step writes into a client config file made for the one
 * call (mode 0600, removed when the tool ends) — never into {@link #command()}.
 *
 * @param command     argv of the exec
 * @param env         the exec's environment
 * @param secretNames which variables of {@code env} hold secrets (to scrub from the tool's stderr)
 * @param compress    whether Berth gzips the stream (the tool does not compress itself)
 * @param extension   the stored backup's extension ({@link BackupName#EXTENSIONS})
 * @param rdbStream   an RDB from {@code redis-cli --rdb -}: redis-cli 7.0 writes the replication stream's 40-byte EOF
 *                    mark after the RDB when its output is not a file it can truncate ({@link RdbEofMarkTrim})
 */
public record DumpCommand(List<String> command, Map<String, String> env, Set<String> secretNames, boolean compress,
                          String extension, boolean rdbStream) {
    /** Berth's own variable for clients that read no password variable: only a shell step reads it. */
    public static final String PASSWORD_VARIABLE = "BERTH_DB_PASSWORD";

    /**
     * A MongoDB client config (YAML, the password single-quoted with quotes doubled by sed through a pipe) written
     * for one call: {@code %s} is the tool and its arguments.
     */
    private static final String MONGO_WITH_PASSWORD_FILE = "f=$(mktemp) || exit 1; chmod 600 \"$f\"; "
            + "printf \"password: '%%s'\\n\" \"$(printf '%%s' \"$" + PASSWORD_VARIABLE + "\" | sed \"s/'/''/g\")\" "
            + ">\"$f\"; %s --config \"$f\"; rc=$?; rm -f \"$f\"; exit $rc";

    /**
     * ClickHouse: the client reads user and password from a config file made for the one call (as the engine table's
     * readiness check), then every table of the database, in dependency-free order (tables, then views): its
     * {@code SHOW CREATE} statement, then its rows as {@code INSERT … FORMAT TabSeparated} followed by the rows and a
     * line {@code \.} (TabSeparated escapes backslashes, so no row is that line). {@code %s} is the port; the database
     * is the script's {@code $1} (a name the spec's pattern allows: letters, digits, underscores).
     */
    private static final String CLICKHOUSE_DUMP = "f=$(mktemp) || exit 1; chmod 600 \"$f\"; trap 'rm -f \"$f\"' EXIT; "
            + "esc() { printf '%%s' \"$1\" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; "
            + "printf '<config><user>%%s</user><password>%%s</password></config>' "
            + "\"$(esc \"$BERTH_DB_USER\")\" \"$(esc \"$" + PASSWORD_VARIABLE + "\")\" >\"$f\"; "
            + "ch() { clickhouse-client --config-file \"$f\" --host 127.0.0.1 --port %s \"$@\"; }; set -e; "
            + "tables=$(ch --query \"SELECT name FROM system.tables WHERE database = '$1' "
            + "ORDER BY engine LIKE '%%View', name FORMAT TSVRaw\"); "
            + "for t in $tables; do "
            + "ch --query \"SHOW CREATE TABLE \\`$1\\`.\\`$t\\` FORMAT TSVRaw\"; echo ';'; "
            + "case $(ch --query \"SELECT engine FROM system.tables WHERE database = '$1' AND name = '$t' FORMAT TSVRaw\") "
            + "in *View) continue;; esac; "
            + "echo \"INSERT INTO \\`$1\\`.\\`$t\\` FORMAT TabSeparated\"; "
            + "ch --query \"SELECT * FROM \\`$1\\`.\\`$t\\` FORMAT TabSeparated\"; printf '%%s\\n' '\\.'; done";

    public DumpCommand {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        secretNames = Set.copyOf(secretNames);
        if (!BackupName.EXTENSIONS.contains(extension)) {
            throw new IllegalArgumentException("unknown backup extension " + extension);
        }
    }

    /**
     * The dump of {@code login.database()} ({@code allDatabases}: every database the login can read, where the engine
     * tells them apart) on the engine listening at its default port inside the container.
     */
    public static DumpCommand of(DatabaseEngine engine, DatabaseLogin login, boolean allDatabases) {
        String port = Integer.toString(engine.port());
        String user = login.username();
        String db = login.database();
        return switch (engine) {
            case POSTGRESQL -> allDatabases
                    // pg_dumpall writes plain SQL: Berth compresses it.
                    ? new DumpCommand(List.of("pg_dumpall", "--no-password", "-h", "127.0.0.1", "-p", port, "-U", user,
                            "-l", db), Map.of("PGPASSWORD", login.password()), Set.of("PGPASSWORD"), true, "sql.gz",
                            false)
                    // The custom format is compressed by pg_dump itself and is what pg_restore reads from a stream.
                    : new DumpCommand(List.of("pg_dump", "--format=custom", "--no-password", "-h", "127.0.0.1", "-p",
                            port, "-U", user, "-d", db), Map.of("PGPASSWORD", login.password()),
                            Set.of("PGPASSWORD"), false, "dump", false);
            case MYSQL, MARIADB -> {
                List<String> args = new ArrayList<>(List.of(engine == DatabaseEngine.MYSQL ? "mysqldump" : "mariadb-dump",
                        "--protocol=TCP", "-h", "127.0.0.1", "-P", port, "-u", user, "--single-transaction", "--quick",
                        "--routines", "--events", "--triggers",
                        // Tablespace information needs the PROCESS privilege, which a database's own user lacks.
                        "--no-tablespaces"));
                if (engine == DatabaseEngine.MYSQL) {
                    // Since 8.0.32, --single-transaction with GTID information takes FLUSH TABLES (RELOAD or
                    // FLUSH_TABLES privilege, which a database's own user lacks); a restore into a standalone server
                    // needs no GTID_PURGED. MariaDB has no such option.
                    args.add("--set-gtid-purged=OFF");
                }
                if (allDatabases) {
                    args.add("--all-databases");
                } else {
                    args.addAll(List.of("--databases", db));
                }
                yield new DumpCommand(args, Map.of("MYSQL_PWD", login.password()), Set.of("MYSQL_PWD"), true, "sql.gz",
                        false);
            }
            case MONGODB -> {
                String tool = "mongodump --host 127.0.0.1 --port " + port
                        + " --username \"$BERTH_DB_USER\" --authenticationDatabase admin --archive --gzip"
                        + (allDatabases ? "" : " --db \"$BERTH_DB_NAME\"");
                yield new DumpCommand(List.of("sh", "-c", MONGO_WITH_PASSWORD_FILE.formatted(tool)),
                        Map.of("BERTH_DB_USER", user, "BERTH_DB_NAME", db, PASSWORD_VARIABLE, login.password()),
                        Set.of(PASSWORD_VARIABLE), false, "archive.gz", false);
            }
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> new DumpCommand(List.of(cli(engine), "-h", "127.0.0.1", "-p", port,
                    "--rdb", "-"), Map.of("REDISCLI_AUTH", login.password()), Set.of("REDISCLI_AUTH"), true, "rdb.gz",
                    true);
            case CLICKHOUSE -> new DumpCommand(List.of("sh", "-c", CLICKHOUSE_DUMP.formatted(port), "clickhouse-dump",
                    db), Map.of("BERTH_DB_USER", user, PASSWORD_VARIABLE, login.password()), Set.of(PASSWORD_VARIABLE),
                    true, "sql.gz", false);
        };
    }

    /** The environment as {@code NAME=value} entries, as Docker's exec API takes it (sorted, so stable). */
    public List<String> envEntries() {
        return envEntries(env);
    }

    static List<String> envEntries(Map<String, String> env) {
        return env.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue())
                .toList();
    }

    /** The secret values of {@link #env()}, for scrubbing text meant for people. */
    public List<String> secretValues() {
        return secretNames.stream().sorted().map(env::get).toList();
    }

    static String cli(DatabaseEngine engine) {
        return switch (engine) {
            case VALKEY -> "valkey-cli";
            case KEYDB -> "keydb-cli";
            default -> "redis-cli";
        };
    }

    @Override
    public String toString() {
        return "DumpCommand[command=" + command + ", env names=" + env.keySet().stream().sorted().toList()
                + ", compress=" + compress + ", extension=" + extension + "]";
    }
}
