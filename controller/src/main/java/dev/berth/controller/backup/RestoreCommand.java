package dev.berth.controller.backup;

import dev.berth.controller.database.DatabaseEngine;
import dev.berth.controller.database.DatabaseLogin;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The counterpart of a {@link DumpCommand}: the engine's restore tool, run inside the (new, empty) database container
 * by {@code docker exec}, reading the dump on stdin. Passwords as in {@link DumpCommand}: only in {@link #env()}.
 * Where the tool can, the restore is one transaction, so a dump that breaks off (or fails its sha256 check, which
 * Berth makes before the tool sees the end of its input) leaves nothing half-restored.
 *
 * @param decompress whether Berth gunzips the stored bytes before the tool reads them
 */
public record RestoreCommand(List<String> command, Map<String, String> env, Set<String> secretNames,
                             boolean decompress) {
    private static final String MONGO_WITH_PASSWORD_FILE = "f=$(mktemp) || exit 1; chmod 600 \"$f\"; "
            + "printf \"password: '%%s'\\n\" \"$(printf '%%s' \"$" + DumpCommand.PASSWORD_VARIABLE
            + "\" | sed \"s/'/''/g\")\" >\"$f\"; %s --config \"$f\"; rc=$?; rm -f \"$f\"; exit $rc";

    public RestoreCommand {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        secretNames = Set.copyOf(secretNames);
    }

    /**
     * How a dump stored as {@code extension} is restored into {@code login.database()}; empty where a dump is not
     * restored by a stream into the running engine (the Redis family: the RDB is placed in the data directory before
     * the server starts; ClickHouse and {@code pg_dumpall} output: not in this version, docs/backups.md).
     */
    public static Optional<RestoreCommand> of(DatabaseEngine engine, DatabaseLogin login, String extension) {
        String port = Integer.toString(engine.port());
        String user = login.username();
        String db = login.database();
        return switch (engine) {
            // pg_restore reads the custom format from stdin; one transaction, stopping at the first error. Objects
            // are owned by the restoring login (the source's owner may not exist here).
            case POSTGRESQL -> "dump".equals(extension)
                    ? Optional.of(new RestoreCommand(List.of("pg_restore", "--no-password", "-h", "127.0.0.1", "-p",
                            port, "-U", user, "-d", db, "--no-owner", "--single-transaction", "--exit-on-error"),
                            Map.of("PGPASSWORD", login.password()), Set.of("PGPASSWORD"), false))
                    : Optional.empty();
            // The dump names its database (--databases): it lands where it came from.
            case MYSQL, MARIADB -> Optional.of(new RestoreCommand(List.of(engine == DatabaseEngine.MYSQL ? "mysql"
                    : "mariadb", "--protocol=TCP", "-h", "127.0.0.1", "-P", port, "-u", user, "--binary-mode"),
                    Map.of("MYSQL_PWD", login.password()), Set.of("MYSQL_PWD"), true));
            case MONGODB -> Optional.of(new RestoreCommand(List.of("sh", "-c", MONGO_WITH_PASSWORD_FILE.formatted(
                    "mongorestore --host 127.0.0.1 --port " + port + " --username \"$BERTH_DB_USER\" "
                            + "--authenticationDatabase admin --archive --gzip")),
                    Map.of("BERTH_DB_USER", user, DumpCommand.PASSWORD_VARIABLE, login.password()),
                    Set.of(DumpCommand.PASSWORD_VARIABLE), false));
            case REDIS, VALKEY, KEYDB, DRAGONFLY, CLICKHOUSE -> Optional.empty();
        };
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
