package dev.berth.controller.database;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Asking the engine itself for its version (what {@code kubectl get standalonedatabases} shows), with the same login
 * and the same client as the readiness check: the password only in the exec's environment. Pure.
 */
public final class EngineVersion {
    private EngineVersion() {
    }

    /** The command that prints the version, run inside the database container. */
    public static ReadinessCheck query(DatabaseEngine engine, DatabaseLogin login) {
        ReadinessCheck check = engine.readiness(login);
        String p = Integer.toString(engine.port());
        return switch (engine) {
            case POSTGRESQL -> replaced(check, "SELECT 1", "SHOW server_version");
            case MYSQL, MARIADB -> replaced(check, "SELECT 1", "SELECT VERSION()");
            case CLICKHOUSE -> replaced(check, "'SELECT 1'", "'SELECT version()'");
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> new ReadinessCheck(
                    List.of(engine == DatabaseEngine.VALKEY ? "valkey-cli" : engine == DatabaseEngine.KEYDB ? "keydb-cli"
                            : "redis-cli", "-h", "127.0.0.1", "-p", p, "info", "server"),
                    check.env(), check.secretNames());
            case MONGODB -> new ReadinessCheck(
                    List.of("sh", "-c", "exec mongosh --quiet --norc --host \"$(hostname)\" --port " + p + " --eval "
                            + "'db.getSiblingDB(\"admin\").auth(process.env.MONGO_INITDB_ROOT_USERNAME, "
                            + "process.env.MONGO_INITDB_ROOT_PASSWORD); db.version()'"),
                    check.env(), check.secretNames());
        };
    }

    /**
     * The readiness check and, only once it passes, the version query, in one exec: the look that sees the engine
     * answer learns its version without another round trip. It exits with the readiness check's status (the version
     * query's own failure does not count: it then prints nothing, and {@link #parse} gives null); only the query's
     * standard output is printed. The same environment (the password only there) serves both.
     */
    public static ReadinessCheck withReadiness(DatabaseEngine engine, DatabaseLogin login) {
        ReadinessCheck check = engine.readiness(login);
        ReadinessCheck query = query(engine, login);
        String script = shell(check.command()) + " >/dev/null 2>&1 && { " + shell(query.command())
                + " 2>/dev/null; true; }";
        return new ReadinessCheck(List.of("sh", "-c", script), check.env(), check.secretNames());
    }

    private static String shell(List<String> command) {
        StringBuilder out = new StringBuilder();
        for (String arg : command) {
            out.append(out.length() == 0 ? "" : " ").append(ShellQuoting.quote(arg));
        }
        return out.toString();
    }

    /**
     * The version in the query's output: the first word of the last line for the SQL engines and MongoDB
     * ({@code 15.8 (Debian 15.8-0+deb12u1)} is 15.8; MariaDB's {@code 10.11.6-MariaDB-0+deb12u1} stays whole), and
     * from {@code INFO server} the fork's own version field before Redis's compatibility one. Null when none.
     */
    public static String parse(DatabaseEngine engine, String output) {
        if (output == null || output.isBlank()) {
            return null;
        }
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return switch (engine) {
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> {
                Map<String, String> fields = new java.util.HashMap<>();
                for (String l : lines) {
                    int colon = l.indexOf(':');
                    if (colon > 0) {
                        fields.put(l.substring(0, colon), l.substring(colon + 1));
                    }
                }
                for (String key : List.of("valkey_version", "dragonfly_version", "keydb_version", "redis_version")) {
                    if (fields.containsKey(key)) {
                        yield fields.get(key);
                    }
                }
                yield null;
            }
            default -> {
                String last = lines.get(lines.size() - 1);
                int space = last.indexOf(' ');
                yield space < 0 ? last : last.substring(0, space);
            }
        };
    }

    private static ReadinessCheck replaced(ReadinessCheck check, String from, String to) {
        List<String> command = new ArrayList<>();
        for (String arg : check.command()) {
            command.add(arg.replace(from, to));
        }
        return new ReadinessCheck(command, check.env(), Set.copyOf(check.secretNames()));
    }
}
