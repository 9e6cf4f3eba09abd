package dev.berth.controller.backup;

import dev.berth.controller.database.DatabaseEngine;
import dev.berth.controller.database.DatabaseLogin;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The counterpart of a {@link DumpCommand}: the engine's restore tool, run inside the (new, empty) database container
 * by {@code docker exec}, reading the dump on stdin. Passwords as in {@link DumpCommand}: only in {@link #env()}.
 * Where the tool can, the restore is one transaction, so a dump that breaks off (or fails its sha256 check, which
 * Berth makes before the tool sees the end of its input) leaves nothing half-restored.
 *
 * @param decompress whether Berth gunzips the stored bytes before the tool reads them
 * @param filter what the (decompressed) dump passes through on its way to the tool: as it is, or for a
 *               {@code pg_dumpall} script {@link ClusterDumpFilter}
 */
public record RestoreCommand(List<String> command, Map<String, String> env, Set<String> secretNames,
                             boolean decompress, UnaryOperator<InputStream> filter) {
    private static final String MONGO_WITH_PASSWORD_FILE = "f=$(mktemp) || exit 1; chmod 600 \"$f\"; "
            + "printf \"password: '%%s'\\n\" \"$(printf '%%s' \"$" + DumpCommand.PASSWORD_VARIABLE
            + "\" | sed \"s/'/''/g\")\" >\"$f\"; %s --config \"$f\"; rc=$?; rm -f \"$f\"; exit $rc";

    /**
     * ClickHouse: reads what {@link DumpCommand}'s ClickHouse dump wrote, line by line: statement lines up to a line
     * {@code ;} are one DDL statement, run as it is; a line {@code INSERT INTO … FORMAT TabSeparated} is followed by
     * its rows up to the line {@code \.}, piped into one INSERT. The client config file is made as for the dump.
     * {@code %s} is the port. The shell's {@code read} takes its input a byte at a time (it must not read past a
     * table's rows): fine for the sizes ClickHouse's old test image is used with, slow for large tables.
     */
    private static final String CLICKHOUSE_RESTORE = "f=$(mktemp) || exit 1; chmod 600 \"$f\"; trap 'rm -f \"$f\"' EXIT; "
            + "esc() { printf '%%s' \"$1\" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; "
            + "printf '<config><user>%%s</user><password>%%s</password></config>' "
            + "\"$(esc \"$BERTH_DB_USER\")\" \"$(esc \"$" + DumpCommand.PASSWORD_VARIABLE + "\")\" >\"$f\"; "
            + "ch() { clickhouse-client --config-file \"$f\" --host 127.0.0.1 --port %s \"$@\"; }; set -e; ddl=; "
            + "while IFS= read -r line; do case \"$line\" in "
            + "';') ch --query \"$ddl\"; ddl=;; "
            + "'INSERT INTO '*' FORMAT TabSeparated') "
            + "{ while IFS= read -r row && [ \"$row\" != '\\.' ]; do printf '%%s\\n' \"$row\"; done; } "
            + "| ch --query \"$line\";; "
            + "*) ddl=\"$ddl$line\n\";; esac; done; "
            + "[ -z \"$ddl\" ] || { echo 'the dump ends inside a statement' >&2; exit 1; }";

    /**
     * The Redis family's restore: the RDB written into the data directory ({@code $1}) as {@code dump.rdb}, the name the
     * server loads at start, through {@code dump.rdb.partial} so that a copy that fails its check is never loaded.
     */
    private static final String PLACE_RDB = "set -e; cd \"$1\"; rm -f dump.rdb dump.rdb.partial; "
            + "cat > dump.rdb.partial; mv dump.rdb.partial dump.rdb";

    /** A tool that reads the dump as it was stored (gunzipped if {@code decompress}). */
    public RestoreCommand(List<String> command, Map<String, String> env, Set<String> secretNames,
                          boolean decompress) {
        this(command, env, secretNames, decompress, UnaryOperator.identity());
    }

    public RestoreCommand {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        secretNames = Set.copyOf(secretNames);
    }

    /**
     * How a dump stored as {@code extension} is restored into {@code login.database()}; empty where a dump is not
     * restored by a stream into the running engine (the Redis family: {@link #placeRdb}) or an extension the engine's
     * dumps do not have.
     */
    public static Optional<RestoreCommand> of(DatabaseEngine engine, DatabaseLogin login, String extension) {
        String port = Integer.toString(engine.port());
        String user = login.username();
        String db = login.database();
        return switch (engine) {
            // pg_restore reads the custom format from stdin; one transaction, stopping at the first error. Objects
            // are owned by the restoring login (the source's owner may not exist here).
            case POSTGRESQL -> switch (extension) {
                case "dump" -> Optional.of(new RestoreCommand(List.of("pg_restore", "--no-password", "-h",
                        "127.0.0.1", "-p", port, "-U", user, "-d", db, "--no-owner", "--single-transaction",
                        "--exit-on-error"), Map.of("PGPASSWORD", login.password()), Set.of("PGPASSWORD"), false));
                // pg_dumpall's script (all: true) creates and connects to each database itself, so it cannot be one
                // transaction; psql stops at its first error. It starts in the maintenance database.
                case "sql.gz" -> Optional.of(new RestoreCommand(List.of("psql", "--no-password", "-X", "-q", "-v",
                        "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", port, "-U", user, "-d", "postgres"),
                        Map.of("PGPASSWORD", login.password()), Set.of("PGPASSWORD"), true,
                        sql -> ClusterDumpFilter.of(sql, user, db)));
                default -> Optional.empty();
            };
            // The dump names its database (--databases): it lands where it came from.
            case MYSQL, MARIADB -> Optional.of(new RestoreCommand(List.of(engine == DatabaseEngine.MYSQL ? "mysql"
                    : "mariadb", "--protocol=TCP", "-h", "127.0.0.1", "-P", port, "-u", user, "--binary-mode"),
                    Map.of("MYSQL_PWD", login.password()), Set.of("MYSQL_PWD"), true));
            case MONGODB -> Optional.of(new RestoreCommand(List.of("sh", "-c", MONGO_WITH_PASSWORD_FILE.formatted(
                    "mongorestore --host 127.0.0.1 --port " + port + " --username \"$BERTH_DB_USER\" "
                            + "--authenticationDatabase admin --archive --gzip")),
                    Map.of("BERTH_DB_USER", user, DumpCommand.PASSWORD_VARIABLE, login.password()),
                    Set.of(DumpCommand.PASSWORD_VARIABLE), false));
            case CLICKHOUSE -> Optional.of(new RestoreCommand(List.of("sh", "-c", CLICKHOUSE_RESTORE.formatted(port)),
                    Map.of("BERTH_DB_USER", user, DumpCommand.PASSWORD_VARIABLE, login.password()),
                    Set.of(DumpCommand.PASSWORD_VARIABLE), true));
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> Optional.empty();
        };
    }

    /** Whether the engine's dump is restored by placing it in the data directory before the server starts. */
    public static boolean placedBeforeStart(DatabaseEngine engine) {
        return switch (engine) {
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> true;
            default -> false;
        };
    }

    /**
     * The Redis family's restore ({@link #placedBeforeStart}): a stored {@code .rdb.gz} gunzipped into
     * {@code dataDirectory/dump.rdb}, run in a container that has the database's volume mounted and no server running.
     */
    public static RestoreCommand placeRdb(String dataDirectory) {
        return new RestoreCommand(List.of("sh", "-c", PLACE_RDB, "berth-place-rdb", dataDirectory), Map.of(), Set.of(),
                true);
    }

    /** The environment as {@code NAME=value} entries, as Docker's exec API takes it (sorted, so stable). */
    public List<String> envEntries() {
        return DumpCommand.envEntries(env);
    }

    public List<String> secretValues() {
        return secretNames.stream().sorted().map(env::get).toList();
    }

    @Override
    public String toString() {
        return "RestoreCommand[command=" + command + ", env names=" + env.keySet().stream().sorted().toList()
                + ", decompress=" + decompress + "]";
    }
}
