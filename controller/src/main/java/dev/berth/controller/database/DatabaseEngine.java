package dev.berth.controller.database;

import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The engine table: what Berth knows about each engine's official image (docs/databases.md), as data and pure
 * functions. Nothing here does I/O; the desired container of a database is built from these answers.
 *
 * <p>Passwords reach the engine only through the container's environment (the official images' first-start
 * contract) or, for the Redis family, through a config read from stdin; a readiness check gets them through the
 * environment of {@code docker exec}. None is ever in a command line.
 */
public enum DatabaseEngine {
    POSTGRESQL("postgres:17", 5432, List.of(5432), "postgres", true, "SIGINT", Duration.ofSeconds(120)),
    MYSQL("mysql:8.4", 3306, List.of(3306, 33060), "mysql", true, "SIGTERM", Duration.ofSeconds(120)),
    MARIADB("mariadb:11.8", 3306, List.of(3306), "mariadb", true, "SIGTERM", Duration.ofSeconds(120)),
    MONGODB("mongo:8.0", 27017, List.of(27017), "root", false, "SIGTERM", Duration.ofSeconds(120)),
    REDIS("redis:7.4", 6379, List.of(6379), "default", false, "SIGTERM", Duration.ofSeconds(60)),
    VALKEY("valkey/valkey:9", 6379, List.of(6379), "default", false, "SIGTERM", Duration.ofSeconds(60)),
    KEYDB("eqalpha/keydb:x86_64_v6.3.4", 6379, List.of(6379), "default", false, "SIGTERM", Duration.ofSeconds(60)),
    DRAGONFLY("docker.dragonflydb.io/dragonflydb/dragonfly:v1.30.0", 6379, List.of(6379), "default", false, "SIGTERM",
            Duration.ofSeconds(60)),
    CLICKHOUSE("clickhouse/clickhouse-server:25.8", 9000, List.of(8123, 9000), "default", false, "SIGTERM",
            Duration.ofSeconds(120));

    /** ClickHouse's HTTP port: its JDBC driver speaks HTTP, its native protocol (the {@code uri}) is on 9000. */
    public static final int CLICKHOUSE_HTTP_PORT = 8123;

    /**
     * How a Redis-family server gets its password without it being in argv: the container's shell reads the
     * password variable and hands {@code requirepass "..."} to the server as a config on stdin ({@code -}, which must
     * be the last argument), then gives way to the image's own entrypoint (which drops to the image's user).
     * Double quotes and backslashes are escaped for the server's config syntax by sed, which reads them from a pipe.
     */
    private static final String REDIS_FAMILY_START = """
            exec docker-entrypoint.sh "$0" "$@" - <<BERTH_CONFIG
            requirepass "$(printf '%%s' "$%s" | sed 's/[\\\\"]/\\\\&/g')"
            BERTH_CONFIG
            """;

    /**
     * ClickHouse's check: the client reads user and password from a config file written for the one call (mode 0600,
     * values XML-escaped by sed through a pipe), which every client version reads; only recent ones read
     * {@code CLICKHOUSE_PASSWORD} from the environment.
     */
    private static final String CLICKHOUSE_CHECK = "f=$(mktemp) || exit 1; "
            + "esc() { printf '%%s' \"$1\" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; "
            + "printf '<config><user>%%s</user><password>%%s</password></config>' "
            + "\"$(esc \"$CLICKHOUSE_USER\")\" \"$(esc \"$CLICKHOUSE_PASSWORD\")\" >\"$f\"; "
            + "clickhouse-client --config-file \"$f\" --host \"$(hostname)\" --port %s --query 'SELECT 1'; "
            + "rc=$?; rm -f \"$f\"; exit $rc";

    private static final Pattern LEADING_NUMBER = Pattern.compile("^(\\d+)");

    private final String defaultImage;
    private final int port;
    private final List<Integer> containerPorts;
    private final String defaultUsername;
    private final boolean sql;
    private final String stopSignal;
    private final Duration stopGrace;

    DatabaseEngine(String defaultImage, int port, List<Integer> containerPorts, String defaultUsername, boolean sql,
            String stopSignal, Duration stopGrace) {
        this.defaultImage = defaultImage;
        this.port = port;
        this.containerPorts = List.copyOf(containerPorts);
        this.defaultUsername = defaultUsername;
        this.sql = sql;
        this.stopSignal = stopSignal;
        this.stopGrace = stopGrace;
    }

    public static DatabaseEngine of(StandaloneDatabaseSpec.Engine engine) {
        return valueOf(engine.name());
    }

    /** The official image, pinned to a major (or, where the project publishes no major tag, a release) tag. */
    public String defaultImage() {
        return defaultImage;
    }

    /** The port clients connect to (the {@code uri}'s port). */
    public int port() {
        return port;
    }

    /** Every port the engine listens on in the container. */
    public List<Integer> containerPorts() {
        return containerPorts;
    }

    /** True for the engines spoken to in SQL over JDBC (they get a {@code jdbcUri}). */
    public boolean sql() {
        return sql;
    }

    /** The signal that stops the engine cleanly ({@code SIGINT} is PostgreSQL's fast shutdown, as the image's own). */
    public String stopSignal() {
        return stopSignal;
    }

    /** How long a stop waits before Docker kills: long enough for a checkpoint or a final snapshot. */
    public Duration stopGrace() {
        return stopGrace;
    }

    /** True where the engine has named users of its own that {@code spec.username} may name. */
    public boolean namedUsers() {
        return switch (this) {
            case POSTGRESQL, MYSQL, MARIADB, MONGODB, CLICKHOUSE -> true;
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> false;
        };
    }

    /** The user the engine creates when {@code spec.username} names none (the Redis family's is always default). */
    public String username(String specUsername) {
        return specUsername == null || specUsername.isBlank() || !namedUsers() ? defaultUsername : specUsername;
    }

    /**
     * The database the connection names when {@code spec.databaseName} names none: PostgreSQL's image defaults it to
     * the user; MySQL and MariaDB create {@code app}; MongoDB authenticates against {@code admin}; the Redis family
     * has numbered databases (0); ClickHouse has {@code default}.
     */
    public String database(String specDatabaseName, String username) {
        boolean named = specDatabaseName != null && !specDatabaseName.isBlank();
        return switch (this) {
            case POSTGRESQL -> named ? specDatabaseName : username;
            case MYSQL, MARIADB -> named ? specDatabaseName : "app";
            case MONGODB -> named ? specDatabaseName : "admin";
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> "0";
            case CLICKHOUSE -> named ? specDatabaseName : "default";
        };
    }

    /**
     * The data directory to mount the volume on, for this image: PostgreSQL 18's image moved its volume up to
     * {@code /var/lib/postgresql} (the data in a directory per major version beneath it).
     */
    public String dataDirectory(String image) {
        return switch (this) {
            case POSTGRESQL -> {
                OptionalInt major = imageMajorVersion(image);
                yield major.isPresent() && major.getAsInt() < 18 ? "/var/lib/postgresql/data" : "/var/lib/postgresql";
            }
            case MYSQL, MARIADB -> "/var/lib/mysql";
            case MONGODB -> "/data/db";
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> "/data";
            case CLICKHOUSE -> "/var/lib/clickhouse";
        };
    }

    /**
     * The container's environment: the official image's first-start variables for this login. MySQL and MariaDB:
     * root gets the same password but may log in only from inside the container (ROOT_HOST localhost) unless the
     * login is root itself. The Redis family's images read no variables: {@code REDIS_PASSWORD} (and its Valkey and
     * KeyDB twins) is Berth's own, read by the container's start command.
     */
    public Map<String, String> environment(DatabaseLogin login) {
        Map<String, String> env = new TreeMap<>();
        String user = login.username();
        String password = login.password();
        switch (this) {
            case POSTGRESQL -> {
                env.put("POSTGRES_USER", user);
                env.put("POSTGRES_PASSWORD", password);
                env.put("POSTGRES_DB", login.database());
            }
            case MYSQL, MARIADB -> {
                String prefix = this == MYSQL ? "MYSQL_" : "MARIADB_";
                env.put(prefix + "ROOT_PASSWORD", password);
                env.put(prefix + "DATABASE", login.database());
                if (!"root".equals(user)) {
                    env.put(prefix + "ROOT_HOST", "localhost");
                    env.put(prefix + "USER", user);
                    env.put(prefix + "PASSWORD", password);
                }
            }
            case MONGODB -> {
                env.put("MONGO_INITDB_ROOT_USERNAME", user);
                env.put("MONGO_INITDB_ROOT_PASSWORD", password);
                if (!"admin".equals(login.database())) {
                    env.put("MONGO_INITDB_DATABASE", login.database());
                }
            }
            case REDIS, VALKEY, KEYDB -> env.put(passwordVariable(), password);
            case DRAGONFLY -> env.put("DFLY_requirepass", password);
            case CLICKHOUSE -> {
                env.put("CLICKHOUSE_USER", user);
                env.put("CLICKHOUSE_PASSWORD", password);
                env.put("CLICKHOUSE_DB", login.database());
                env.put("CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT", "1");
            }
        }
        return env;
    }

    /**
     * The container's command (its {@code Cmd}; the image's entrypoint stays): the server with {@code spec.config}
     * in the engine's own syntax, keys sorted so that the same settings always give the same container.
     * PostgreSQL {@code -c key=value}; MySQL, MariaDB, MongoDB, Dragonfly {@code --key=value}; the Redis family
     * {@code --key value}; ClickHouse server overrides after {@code --}.
     */
    public List<String> command(Map<String, String> config) {
        Map<String, String> settings = new TreeMap<>(config == null ? Map.of() : config);
        List<String> args = new ArrayList<>();
        switch (this) {
            case POSTGRESQL -> {
                args.add("postgres");
                settings.forEach((k, v) -> {
                    args.add("-c");
                    args.add(k + "=" + v);
                });
            }
            case MYSQL, MARIADB, MONGODB -> {
                args.add(switch (this) {
                    case MYSQL -> "mysqld";
                    case MARIADB -> "mariadbd";
                    default -> "mongod";
                });
                settings.forEach((k, v) -> args.add("--" + k + "=" + v));
            }
            case REDIS, VALKEY, KEYDB -> {
                args.add("sh");
                args.add("-c");
                args.add(REDIS_FAMILY_START.formatted(passwordVariable()));
                args.add(serverBinary());
                if (this == KEYDB) {
                    // The KeyDB image's own command names its config file; keep it, ours comes after.
                    args.add("/etc/keydb/keydb.conf");
                }
                settings.forEach((k, v) -> {
                    args.add("--" + k);
                    args.add(v);
                });
            }
            case DRAGONFLY -> {
                args.add("dragonfly");
                args.add("--logtostderr");
                settings.forEach((k, v) -> args.add("--" + k + "=" + v));
            }
            case CLICKHOUSE -> {
                if (!settings.isEmpty()) {
                    args.add("--");
                    settings.forEach((k, v) -> args.add("--" + k + "=" + v));
                }
            }
        }
        return args;
    }

    /**
     * The readiness check: an authenticated request over TCP with the client the official image ships. It cannot pass
     * while an image's init-time server runs: PostgreSQL's listens on its Unix socket only, MySQL's and MariaDB's
     * run without networking, and MongoDB's and ClickHouse's listen on loopback only, so their checks go to the
     * container's own address. A Redis-family server answers {@code LOADING} rather than {@code PONG} while it reads
     * its data.
     */
    public ReadinessCheck readiness(DatabaseLogin login) {
        String user = login.username();
        String p = Integer.toString(port);
        return switch (this) {
            case POSTGRESQL -> new ReadinessCheck(
                    List.of("psql", "-h", "127.0.0.1", "-p", p, "-U", user, "-d", login.database(), "-tAc", "SELECT 1"),
                    Map.of("PGPASSWORD", login.password(), "PGCONNECT_TIMEOUT", "5"), Set.of("PGPASSWORD"));
            case MYSQL, MARIADB -> new ReadinessCheck(
                    List.of(this == MYSQL ? "mysql" : "mariadb", "--protocol=TCP", "-h", "127.0.0.1", "-P", p, "-u", user,
                            "--connect-timeout=5", "-D", login.database(), "-e", "SELECT 1"),
                    Map.of("MYSQL_PWD", login.password()), Set.of("MYSQL_PWD"));
            case MONGODB -> new ReadinessCheck(
                    List.of("sh", "-c", "exec mongosh --quiet --norc --host \"$(hostname)\" --port " + p + " --eval "
                            + "'db.getSiblingDB(\"admin\").auth(process.env.MONGO_INITDB_ROOT_USERNAME, "
                            + "process.env.MONGO_INITDB_ROOT_PASSWORD); db.adminCommand({ping: 1}).ok'"),
                    Map.of("MONGO_INITDB_ROOT_USERNAME", user, "MONGO_INITDB_ROOT_PASSWORD", login.password()),
                    Set.of("MONGO_INITDB_ROOT_PASSWORD"));
            case REDIS, VALKEY, KEYDB -> new ReadinessCheck(
                    List.of("sh", "-c", cliBinary() + " -h 127.0.0.1 -p " + p + " ping | grep -qx PONG"),
                    Map.of("REDISCLI_AUTH", login.password()), Set.of("REDISCLI_AUTH"));
            case DRAGONFLY -> new ReadinessCheck(
                    List.of("sh", "-c", "redis-cli -h 127.0.0.1 -p " + p + " info persistence | grep -q '^loading:0'"),
                    Map.of("REDISCLI_AUTH", login.password()), Set.of("REDISCLI_AUTH"));
            case CLICKHOUSE -> new ReadinessCheck(List.of("sh", "-c", CLICKHOUSE_CHECK.formatted(p)),
                    Map.of("CLICKHOUSE_USER", user, "CLICKHOUSE_PASSWORD", login.password()),
                    Set.of("CLICKHOUSE_PASSWORD"));
        };
    }

    /** The connection Secret's contents for a client reaching the engine at {@code host}:{@code port}. */
    public ConnectionDetails connection(String host, int port, DatabaseLogin login) {
        String credentials = encode(login.username()) + ":" + encode(login.password()) + "@" + host + ":" + port;
        String db = login.database();
        String uri = switch (this) {
            case POSTGRESQL -> "postgresql://" + credentials + "/" + encode(db);
            case MYSQL, MARIADB -> "mysql://" + credentials + "/" + encode(db);
            case MONGODB -> "mongodb://" + credentials + "/" + encode(db) + "?authSource=admin";
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> "redis://" + credentials + "/" + db;
            case CLICKHOUSE -> "clickhouse://" + credentials + "/" + encode(db);
        };
        String jdbc = switch (this) {
            case POSTGRESQL -> "jdbc:postgresql://" + host + ":" + port + "/" + encode(db);
            case MYSQL -> "jdbc:mysql://" + host + ":" + port + "/" + encode(db);
            case MARIADB -> "jdbc:mariadb://" + host + ":" + port + "/" + encode(db);
            default -> null;
        };
        return new ConnectionDetails(uri, host, port, login.username(), login.password(), db, jdbc);
    }

    /**
     * How the login's password becomes {@code newPassword} inside a running engine whose login still has
     * {@code current}'s password (see {@link PasswordChange} for when the reconciler runs it). The in-place execs log in
     * over TCP like the readiness check: they first try the new password (already applied: nothing to do), then the
     * old one, change it with the engine's own statement, and check the new one. Both passwords, and a SQL statement
     * holding the new one, reach the exec only through its environment; the engine's output goes nowhere.
     * <ul>
     *   <li>PostgreSQL: {@code ALTER ROLE CURRENT_USER PASSWORD E'…'} through psql's stdin.</li>
     *   <li>MySQL: {@code ALTER USER CURRENT_USER() IDENTIFIED BY '…'}; MariaDB: {@code SET PASSWORD =
     *       PASSWORD('…')}; for the login over TCP, then the same for {@code root@localhost} over the socket when it
     *       still has the old password (it got the same one on first start; one a person changed is left alone).</li>
     *   <li>MongoDB: {@code changeUserPassword} in {@code admin}, by mongosh reading {@code process.env}.</li>
     *   <li>The Redis family: {@code CONFIG SET requirepass}, the value read by the cli from stdin ({@code -x}). This
     *       lasts only until the server restarts, which is why the container's environment must carry the new
     *       password too (it does: the container is replaced).</li>
     *   <li>ClickHouse: {@link PasswordChange.AtRestart}.</li>
     * </ul>
     */
    public PasswordChange passwordChange(DatabaseLogin current, String newPassword) {
        Map<String, String> env = new TreeMap<>();
        env.put("BERTH_USERNAME", current.username());
        env.put("BERTH_DATABASE", current.database());
        env.put("BERTH_OLD_PASSWORD", current.password());
        env.put("BERTH_NEW_PASSWORD", newPassword);
        String p = Integer.toString(port);
        String script;
        switch (this) {
            case POSTGRESQL -> {
                env.put("BERTH_STATEMENT", "ALTER ROLE CURRENT_USER PASSWORD " + postgresLiteral(newPassword) + ";");
                String psql = "psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " + p
                        + " -U \"$BERTH_USERNAME\" -d \"$BERTH_DATABASE\"";
                script = "export PGCONNECT_TIMEOUT=5 PGCLIENTENCODING=UTF8\n"
                        + "ok() { " + psql + " -tAc 'SELECT 1' >/dev/null 2>&1; }\n"
                        + "alter() { printf '%s\\n' \"$BERTH_STATEMENT\" | " + psql + " >/dev/null 2>&1; }\n"
                        + changeFunction("PGPASSWORD")
                        + "change ok alter\n";
            }
            case MYSQL, MARIADB -> {
                // Each engine's form an account may use on itself without privileges: MariaDB wants CREATE USER
                // for ALTER USER even there, and its SET PASSWORD takes a hash unless given PASSWORD(...).
                env.put("BERTH_STATEMENT", "SET SESSION sql_mode = ''; " + (this == MYSQL
                        ? "ALTER USER CURRENT_USER() IDENTIFIED BY " + mysqlLiteral(newPassword)
                        : "SET PASSWORD = PASSWORD(" + mysqlLiteral(newPassword) + ")") + ";");
                String client = this == MYSQL ? "mysql" : "mariadb";
                String login = client + " --protocol=TCP -h 127.0.0.1 -P " + p
                        + " -u \"$BERTH_USERNAME\" --connect-timeout=5 --default-character-set=utf8mb4";
                String root = client + " --protocol=SOCKET -u root --default-character-set=utf8mb4";
                script = "ok() { " + login + " -e 'SELECT 1' >/dev/null 2>&1; }\n"
                        + "alter() { printf '%s\\n' \"$BERTH_STATEMENT\" | " + login + " >/dev/null 2>&1; }\n"
                        + "root_ok() { " + root + " -e 'SELECT 1' >/dev/null 2>&1; }\n"
                        + "root_alter() { printf '%s\\n' \"$BERTH_STATEMENT\" | " + root + " >/dev/null 2>&1; }\n"
                        + changeFunction("MYSQL_PWD")
                        + "change ok alter || exit $?\n"
                        + "change root_ok root_alter\n"
                        + "[ $? -ne " + PasswordChange.REFUSED + " ] || exit " + PasswordChange.REFUSED + "\n"
                        + "exit 0\n";
            }
            case MONGODB -> script = "exec mongosh --quiet --norc --host \"$(hostname)\" --port " + p + " --eval '"
                    + "const a = db.getSiblingDB(\"admin\"), e = process.env; "
                    + "const logIn = (pw) => { try { a.auth(e.BERTH_USERNAME, pw); return true; } "
                    + "catch (x) { return false; } }; "
                    + "if (!logIn(e.BERTH_NEW_PASSWORD)) { "
                    + "if (!logIn(e.BERTH_OLD_PASSWORD)) { quit(" + PasswordChange.NO_LOGIN + "); } "
                    + "try { a.changeUserPassword(e.BERTH_USERNAME, e.BERTH_NEW_PASSWORD); } "
                    + "catch (x) { quit(" + PasswordChange.REFUSED + "); } }"
                    + "' >/dev/null 2>&1\n";
            case REDIS, VALKEY, KEYDB, DRAGONFLY -> {
                String cli = (this == DRAGONFLY ? "redis-cli" : cliBinary()) + " -h 127.0.0.1 -p " + p;
                script = "ok() { [ \"$(" + cli + " ping 2>/dev/null)\" = PONG ]; }\n"
                        + "alter() { [ \"$(printf '%s' \"$BERTH_NEW_PASSWORD\" | " + cli
                        + " -x config set requirepass 2>/dev/null)\" = OK ]; }\n"
                        + changeFunction("REDISCLI_AUTH")
                        + "change ok alter\n";
            }
            case CLICKHOUSE -> {
                return new PasswordChange.AtRestart("ClickHouse's image writes its user's password from "
                        + "CLICKHOUSE_PASSWORD into its configuration at every start, and a user defined there cannot be "
                        + "changed by SQL: the replaced container, with the new password in its environment, applies it");
            }
            default -> throw new IllegalStateException(name());
        }
        Set<String> secrets = env.containsKey("BERTH_STATEMENT")
                ? Set.of("BERTH_OLD_PASSWORD", "BERTH_NEW_PASSWORD", "BERTH_STATEMENT")
                : Set.of("BERTH_OLD_PASSWORD", "BERTH_NEW_PASSWORD");
        return new PasswordChange.InPlace(List.of("sh", "-c", script), env, secrets);
    }

    /**
     * The shell function every in-place change runs ({@code change CHECK ALTER}): the client reads the password from
     * {@code variable}, exported (not a prefix assignment, which POSIX leaves unspecified for functions).
     */
    private static String changeFunction(String variable) {
        return "change() {\n"
                + "  export " + variable + "=\"$BERTH_NEW_PASSWORD\"; \"$1\" && return 0\n"
                + "  export " + variable + "=\"$BERTH_OLD_PASSWORD\"; \"$1\" || return " + PasswordChange.NO_LOGIN + "\n"
                + "  \"$2\" || return " + PasswordChange.REFUSED + "\n"
                + "  export " + variable + "=\"$BERTH_NEW_PASSWORD\"; \"$1\" || return " + PasswordChange.REFUSED + "\n"
                + "}\n";
    }

    /**
     * A PostgreSQL escape-string literal ({@code E'…'}) of {@code s}: backslashes doubled, quotes doubled. An E-string
     * reads backslashes as escapes whatever {@code standard_conforming_strings} says, so this holds for any server
     * setting and any text.
     */
    static String postgresLiteral(String s) {
        return "E'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /**
     * A MySQL/MariaDB string literal of {@code s}, for a session whose {@code sql_mode} was emptied first (so that
     * backslashes are escapes even where the server's mode says NO_BACKSLASH_ESCAPES): backslashes and quotes doubled.
     */
    static String mysqlLiteral(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** The major version in an image's tag ({@code postgres:15.4-alpine} is 15), if the tag starts with one. */
    public static OptionalInt imageMajorVersion(String image) {
        if (image == null) {
            return OptionalInt.empty();
        }
        String ref = image;
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
        }
        int colon = ref.lastIndexOf(':');
        if (colon < 0 || colon < ref.lastIndexOf('/')) {
            return OptionalInt.empty();
        }
        Matcher m = LEADING_NUMBER.matcher(ref.substring(colon + 1));
        if (!m.find() || m.group(1).length() > 6) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(m.group(1)));
    }

    private String passwordVariable() {
        return switch (this) {
            case VALKEY -> "VALKEY_PASSWORD";
            case KEYDB -> "KEYDB_PASSWORD";
            default -> "REDIS_PASSWORD";
        };
    }

    private String serverBinary() {
        return switch (this) {
            case VALKEY -> "valkey-server";
            case KEYDB -> "keydb-server";
            default -> "redis-server";
        };
    }

    private String cliBinary() {
        return switch (this) {
            case VALKEY -> "valkey-cli";
            case KEYDB -> "keydb-cli";
            default -> "redis-cli";
        };
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
