package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.controller.testbed.TestBed;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine test images (scripts/engine-images.sh) run real servers with the official images' env contract, and
 * the engine table drives them: each database is started on a bed host with {@link DatabaseEngine#environment},
 * {@link DatabaseEngine#command} and a volume on {@link DatabaseEngine#dataDirectory}, waited for with
 * {@link DatabaseEngine#readiness} (run by {@code docker exec}, the password in its environment), then a second
 * container on a user network logs in by the database's network alias with the engine's own client, writes and reads
 * a row, and reads it again after the database container restarted, and again from a new container on the same
 * volume.
 *
 * <p>An image not on the bed skips its case: load them with {@code scripts/testbed.sh images NAME...}.
 */
class EngineImagesIT {
    private static final Duration READY_WITHIN = Duration.ofMinutes(3);

    /** One image and how to talk to it. {@code config} goes through the engine table's command. */
    enum EngineImage {
        POSTGRES_15("postgres15", "berth-test/postgres:15", DatabaseEngine.POSTGRESQL, Map.of("max_connections", "50")),
        POSTGRES_18("postgres18", "berth-test/postgres:18", DatabaseEngine.POSTGRESQL, Map.of()),
        MYSQL_9("mysql9", "berth-test/mysql:9", DatabaseEngine.MYSQL, Map.of("max_connections", "50")),
        MARIADB_10("mariadb10", "berth-test/mariadb:10.11", DatabaseEngine.MARIADB, Map.of("max_connections", "50")),
        REDIS_7("redis7", "berth-test/redis:7.0", DatabaseEngine.REDIS, Map.of("maxmemory", "64mb")),
        VALKEY_9("valkey9", "berth-test/valkey:9", DatabaseEngine.VALKEY, Map.of("maxmemory", "64mb")),
        CLICKHOUSE_18("clickhouse18", "berth-test/clickhouse:18.16", DatabaseEngine.CLICKHOUSE,
                Map.of("max_connections", "100"));

        final String recipe;
        final String image;
        final DatabaseEngine engine;
        final Map<String, String> config;

        EngineImage(String recipe, String image, DatabaseEngine engine, Map<String, String> config) {
            this.recipe = recipe;
            this.image = image;
            this.engine = engine;
            this.config = config;
        }
    }

    private final List<Runnable> cleanups = new ArrayList<>();
    private DockerClient docker;

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            try {
                cleanups.get(i).run();
            } catch (RuntimeException ignored) {
                // best effort: the next case uses names of its own
            }
        }
        if (docker != null) {
            docker.close();
        }
    }

    @ParameterizedTest
    @EnumSource(EngineImage.class)
    void serverStartsWithTheContractAcceptsAClientAndKeepsItsRowsOverARestart(EngineImage c) throws Exception {
        TestBed.Host host = TestBed.get().host(1);
        docker = local(host);
        try {
            docker.inspectImageCmd(c.image).exec();
        } catch (NotFoundException e) {
            Assumptions.abort(c.image + " is not on the bed: BERTH_TESTBED_SLOT=… scripts/testbed.sh images " + c.recipe);
        }
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String run = HexFormat.of().formatHex(random);
        // Quotes, a backslash, XML and shell specials: each entrypoint and client must carry them untouched.
        String password = "pw-" + run + "'\"\\ <&>$x";
        DatabaseEngine engine = c.engine;
        String user = engine.namedUsers() ? "app" : engine.username(null);
        DatabaseLogin login = new DatabaseLogin(user, password, engine.database("shop", user));
        String alias = "db-" + run;
        String network = "berth-it-" + run;
        String volume = "berth-it-" + run + "-data";

        docker.createNetworkCmd().withName(network).withDriver("bridge").exec();
        cleanups.add(() -> docker.removeNetworkCmd(network).exec());
        cleanups.add(() -> docker.removeVolumeCmd(volume).exec());
        String first = startDatabase(c, login, network, alias, volume, run + "-1");
        awaitReady(first, engine.readiness(login));
        client(c, network, alias, login, write(c));
        assertThat(client(c, network, alias, login, read(c))).contains("42");

        docker.restartContainerCmd(first).withTimeout((int) engine.stopGrace().toSeconds()).exec();
        awaitReady(first, engine.readiness(login));
        assertThat(client(c, network, alias, login, read(c))).contains("42");

        // A new container on the same volume (what a spec change does) finds the data and the login and initialises
        // nothing: the SQL engines keep the password in their data and ignore a first-start variable that now
        // differs (the Redis family and ClickHouse take theirs from the container on every start).
        docker.stopContainerCmd(first).withTimeout((int) engine.stopGrace().toSeconds()).exec();
        docker.removeContainerCmd(first).exec();
        DatabaseLogin second = engine.sql() ? new DatabaseLogin(login.username(), "other-" + run, login.database())
                : login;
        String next = startDatabase(c, second, network, alias, volume, run + "-2");
        awaitReady(next, engine.readiness(login));
        assertThat(client(c, network, alias, login, read(c))).contains("42");
    }

    private String startDatabase(EngineImage c, DatabaseLogin login, String network, String alias, String volume,
            String suffix) {
        DatabaseEngine engine = c.engine;
        String id = docker.createContainerCmd(c.image)
                .withName("berth-it-" + c.recipe + "-" + suffix)
                .withEnv(entries(engine.environment(login)))
                .withCmd(engine.command(c.config))
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(network)
                        .withBinds(new Bind(volume, new Volume(engine.dataDirectory(c.image)))))
                .withAliases(alias)
                .exec().getId();
        cleanups.add(() -> docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec());
        docker.startContainerCmd(id).exec();
        return id;
    }

    private void awaitReady(String id, ReadinessCheck check) {
        await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(docker.inspectContainerCmd(id).exec().getState().getRunning())
                    .as("database container running; log:%n%s", logs(id)).isTrue();
            assertThat(exec(id, check)).isZero();
        });
    }

    private int exec(String id, ReadinessCheck check) throws InterruptedException {
        String execId = docker.execCreateCmd(id).withCmd(check.command().toArray(String[]::new))
                .withEnv(check.envEntries()).withAttachStdout(true).withAttachStderr(true).exec().getId();
        docker.execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion(30, TimeUnit.SECONDS);
        Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        return code == null ? -1 : code.intValue();
    }

    private static String write(EngineImage c) {
        return switch (c.engine) {
            case POSTGRESQL, MYSQL, MARIADB -> "CREATE TABLE t (x INT); INSERT INTO t VALUES (42);";
            case CLICKHOUSE -> "CREATE TABLE t (x Int32) ENGINE = MergeTree ORDER BY x; INSERT INTO t VALUES (42)";
            default -> "SET k 42";
        };
    }

    private static String read(EngineImage c) {
        return switch (c.engine) {
            case POSTGRESQL, MYSQL, MARIADB, CLICKHOUSE -> "SELECT x FROM t";
            default -> "GET k";
        };
    }

    /**
     * Runs the engine's client in a second container on the network, against the database's alias, with the password
     * in the client's environment; returns its output (failing, with that output, unless it exits 0).
     */
    private String client(EngineImage c, String network, String alias, DatabaseLogin login, String statement)
            throws Exception {
        List<String> entrypoint;
        Map<String, String> env;
        String db = login.database();
        switch (c.engine) {
            case POSTGRESQL -> {
                entrypoint = List.of("psql", "-v", "ON_ERROR_STOP=1", "-h", alias, "-U", login.username(), "-d", db,
                        "-tAc", statement);
                env = Map.of("PGPASSWORD", login.password());
            }
            case MYSQL, MARIADB -> {
                entrypoint = List.of(c.engine == DatabaseEngine.MYSQL ? "mysql" : "mariadb", "-h", alias,
                        "-u", login.username(), "-D", db, "-N", "-e", statement);
                env = Map.of("MYSQL_PWD", login.password());
            }
            case REDIS, VALKEY -> {
                List<String> cli = new ArrayList<>(List.of(c.engine == DatabaseEngine.REDIS ? "redis-cli" : "valkey-cli",
                        "-h", alias));
                cli.addAll(List.of(statement.split(" ")));
                entrypoint = cli;
                env = Map.of("REDISCLI_AUTH", login.password());
            }
            case CLICKHOUSE -> {
                // As the engine table's readiness check: the 18.16 client reads no password variable.
                entrypoint = List.of("sh", "-c", "f=$(mktemp); esc() { printf '%s' \"$1\" | sed -e 's/&/\\&amp;/g'"
                        + " -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g'; }; printf '<config><user>%s</user><password>%s"
                        + "</password></config>' \"$(esc \"$CH_USER\")\" \"$(esc \"$CH_PASSWORD\")\" >\"$f\";"
                        + " exec clickhouse-client --config-file \"$f\" --host \"$0\" -d \"$1\" -n --query \"$2\"",
                        alias, db, statement);
                env = Map.of("CH_USER", login.username(), "CH_PASSWORD", login.password());
            }
            default -> throw new IllegalArgumentException("no client for " + c.engine);
        }
        CreateContainerResponse created = docker.createContainerCmd(c.image)
                .withEntrypoint(entrypoint)
                .withEnv(entries(env))
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(network))
                .exec();
        String id = created.getId();
        try {
            docker.startContainerCmd(id).exec();
            Integer code = docker.waitContainerCmd(id).start().awaitStatusCode(2, TimeUnit.MINUTES);
            String output = logs(id);
            assertThat(code).as("client %s exited; output:%n%s", entrypoint.get(0), output).isZero();
            return output;
        } finally {
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    private String logs(String id) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(40).exec(new ResultCallback.Adapter<Frame>() {
            @Override
            public void onNext(Frame frame) {
                out.writeBytes(frame.getPayload());
            }
        }).awaitCompletion(30, TimeUnit.SECONDS);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> entries(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
    }

    private static DockerClient local(TestBed.Host h) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(h.localDockerHost()).build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(h.localDockerHost())).build());
    }
}
