package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.controller.testbed.TestBed;
import java.net.URI;
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
 * {@link DatabaseEngine#passwordChange} against real servers on a bed host (images built by scripts/engine-images.sh):
 * the engine started with one password takes another by the exec alone; afterwards the old login is refused and the
 * new one works, a second run changes nothing, and a run whose old password is wrong says so ({@code NO_LOGIN}).
 * Both passwords hold quotes, backslashes, shell and SQL specials; for MySQL and MariaDB root@localhost follows. Then
 * what the rule in {@link PasswordChange} rests
 * on: PostgreSQL keeps the new password in its data over a restart and a replaced container; Redis takes it from the
 * container's environment at every start, so a restart of the old container brings the old password back and a new
 * container with the new environment is what makes it last.
 *
 * <p>An image not on the bed skips its case: {@code BERTH_TESTBED_SLOT=… scripts/testbed.sh images postgres15 redis7}.
 */
class DatabasePasswordChangeIT {
    private static final Duration READY_WITHIN = Duration.ofMinutes(3);

    enum Case {
        POSTGRES_15("postgres15", "berth-test/postgres:15", DatabaseEngine.POSTGRESQL),
        REDIS_7("redis7", "berth-test/redis:7.0", DatabaseEngine.REDIS),
        // Beyond what the issue asks: scripts/test.sh loads valkey9 but not these two, which are skipped then.
        VALKEY_9("valkey9", "berth-test/valkey:9", DatabaseEngine.VALKEY),
        MARIADB_10("mariadb10", "berth-test/mariadb:10.11", DatabaseEngine.MARIADB),
        MYSQL_9("mysql9", "berth-test/mysql:9", DatabaseEngine.MYSQL);

        final String recipe;
        final String image;
        final DatabaseEngine engine;

        Case(String recipe, String image, DatabaseEngine engine) {
            this.recipe = recipe;
            this.image = image;
            this.engine = engine;
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
    @EnumSource(Case.class)
    void theExecAloneChangesThePasswordInsideTheRunningEngine(Case c) throws Exception {
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
        DatabaseEngine engine = c.engine;
        String user = engine.namedUsers() ? "app" : engine.username(null);
        DatabaseLogin old = new DatabaseLogin(user, "old-" + run + "'\"\\ <&>$x`id`;--", engine.database("shop", user));
        DatabaseLogin next = new DatabaseLogin(user, "new-" + run + "\\'' $(id) %s \"\\\\", old.database());
        String volume = "berth-it-pw-" + run + "-data";
        cleanups.add(() -> docker.removeVolumeCmd(volume).exec());

        String first = startDatabase(c, old, volume, run + "-1");
        awaitReady(first, engine.readiness(old));
        assertThat(exec(first, engine.readiness(next))).as("the new password before the change").isNotZero();

        PasswordChange.InPlace change = (PasswordChange.InPlace) engine.passwordChange(old, next.password());
        assertThat(exec(first, change)).isZero();
        assertThat(exec(first, engine.readiness(next))).as("new login").isZero();
        assertThat(exec(first, engine.readiness(old))).as("old login").isNotZero();
        if (engine == DatabaseEngine.MYSQL || engine == DatabaseEngine.MARIADB) {
            // root@localhost got the same password on first start, and follows.
            List<String> root = List.of(engine == DatabaseEngine.MYSQL ? "mysql" : "mariadb", "--protocol=SOCKET",
                    "-u", "root", "-e", "SELECT 1");
            assertThat(exec(first, root, List.of("MYSQL_PWD=" + next.password()))).as("root, new").isZero();
            assertThat(exec(first, root, List.of("MYSQL_PWD=" + old.password()))).as("root, old").isNotZero();
        }
        // Again (the reconciler may run it twice): the new password already works, nothing to do.
        assertThat(exec(first, change)).isZero();
        // Neither password it is given logs in: the status that tells a person what to do.
        PasswordChange.InPlace lost = (PasswordChange.InPlace) engine.passwordChange(
                new DatabaseLogin(user, "not-" + run, old.database()), "other-" + run);
        assertThat(exec(first, lost)).isEqualTo(PasswordChange.NO_LOGIN);
        assertThat(exec(first, engine.readiness(next))).isZero();

        docker.restartContainerCmd(first).withTimeout((int) engine.stopGrace().toSeconds()).exec();
        if (engine.sql()) {
            awaitReady(first, engine.readiness(next));
            assertThat(exec(first, engine.readiness(old))).as("old login after a restart").isNotZero();
        } else {
            // The server reads its password from the container's environment at every start: the old one is back.
            awaitReady(first, engine.readiness(old));
            assertThat(exec(first, engine.readiness(next))).as("new login after a restart").isNotZero();
        }

        // What the reconciler does: a new container, with the new password in its environment, on the same volume.
        docker.stopContainerCmd(first).withTimeout((int) engine.stopGrace().toSeconds()).exec();
        docker.removeContainerCmd(first).exec();
        String second = startDatabase(c, next, volume, run + "-2");
        awaitReady(second, engine.readiness(next));
        assertThat(exec(second, engine.readiness(old))).as("old login in the replaced container").isNotZero();
        assertThat(exec(second, change)).isZero();
    }

    private String startDatabase(Case c, DatabaseLogin login, String volume, String suffix) {
        DatabaseEngine engine = c.engine;
        String id = docker.createContainerCmd(c.image)
                .withName("berth-it-pw-" + c.recipe + "-" + suffix)
                .withEnv(entries(engine.environment(login)))
                .withCmd(engine.command(Map.of()))
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none")
                        .withBinds(new Bind(volume, new Volume(engine.dataDirectory(c.image)))))
                .exec().getId();
        cleanups.add(() -> docker.removeContainerCmd(id).withForce(true).exec());
        docker.startContainerCmd(id).exec();
        return id;
    }

    private void awaitReady(String id, ReadinessCheck check) {
        await().atMost(READY_WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(docker.inspectContainerCmd(id).exec().getState().getRunning()).as("container running").isTrue();
            assertThat(exec(id, check)).isZero();
        });
    }

    private int exec(String id, ReadinessCheck check) throws InterruptedException {
        return exec(id, check.command(), check.envEntries());
    }

    private int exec(String id, PasswordChange.InPlace change) throws InterruptedException {
        return exec(id, change.command(), change.envEntries());
    }

    private int exec(String id, List<String> command, List<String> env) throws InterruptedException {
        String execId = docker.execCreateCmd(id).withCmd(command.toArray(String[]::new)).withEnv(env)
                .withAttachStdout(true).withAttachStderr(true).exec().getId();
        docker.execStartCmd(execId).exec(new ResultCallback.Adapter<Frame>()).awaitCompletion(60, TimeUnit.SECONDS);
        Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        return code == null ? -1 : code.intValue();
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
