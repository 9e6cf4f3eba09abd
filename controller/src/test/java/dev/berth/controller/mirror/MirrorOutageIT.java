package dev.berth.controller.mirror;

import static dev.berth.controller.mirror.jooq.Tables.ACTIVITY_LOG;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATIONS;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATION_DEPLOYMENTS;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATION_DEPLOYMENT_LOGS;
import static dev.berth.controller.mirror.jooq.Tables.BACKUP_EXECUTIONS;
import static dev.berth.controller.mirror.jooq.Tables.SERVERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL goes away and comes back (the same server: same data directory, same port): writes made meanwhile
 * neither throw nor hang, the mirror says it is behind, and every one of them is there afterwards.
 */
class MirrorOutageIT {

    @TempDir
    Path dataDir;

    EmbeddedPostgres postgres;
    MirrorDatabase database;
    PostgresMirror mirror;

    @AfterEach
    void tearDown() throws IOException {
        if (mirror != null) {
            mirror.close();
        }
        if (database != null) {
            database.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void writesMadeWhilePostgresIsDownAreKeptAndCatchUpWhenItReturns() throws IOException {
        int port = freePort();
        postgres = startPostgres(port);
        database = MirrorDatabase.external(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null);
        database.migrateIfNeeded();
        DSLContext sql = database.dsl();
        mirror = new PostgresMirror(database, Clock.systemUTC(), Duration.ofMillis(50), Duration.ofMillis(500));

        String ns = "outage";
        Server server = Fixtures.server(ns, "web-1", Map.of());
        Server doomed = Fixtures.server(ns, "web-2", Map.of());
        mirror.upsert(server);
        mirror.upsert(doomed);
        assertThat(mirror.isBehind()).isFalse();

        postgres.close();
        postgres = null;

        // Every write returns promptly and none throws.
        long start = System.nanoTime();
        Application app = Fixtures.application(ns, "shop", "web-1", Map.of());
        mirror.upsert(app);
        ServerStatus status = new ServerStatus();
        status.setDockerVersion("20.10.24");
        status.setState("Ready");
        server.setStatus(status);
        mirror.upsert(server);
        app.getSpec().setImage("berth-test/httpd:2");
        mirror.upsert(app);
        UUID deployment = mirror.deploymentQueued(app, "berth-test/httpd:2", "spec changed");
        mirror.deploymentStarted(deployment);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add("line " + i);
        }
        mirror.deploymentLog(deployment, lines);
        mirror.deploymentFinished(deployment, DeploymentStatus.FINISHED, "sha256:feed", null);
        mirror.recordActivity(app, "container.create", "shop-1");
        mirror.recordActivity(app, "container.start", "shop-1");
        StandaloneDatabase db = Fixtures.database(ns, "orders", "web-1");
        mirror.upsert(db);
        ScheduledBackup backup = Fixtures.backup(ns, "orders-daily", "orders");
        UUID run = mirror.backupStarted(backup, "scheduled");
        mirror.backupFinished(run, BackupStatus.FAILED, null, null, "destination unreachable");
        mirror.markDeleted(doomed);
        mirror.resync(Server.class, List.of(), List.of(server.getMetadata().getUid()));
        assertThat(mirror.awaitActivity(Duration.ofSeconds(5))).as("activity rows handed over").isTrue();
        Duration spent = Duration.ofNanos(System.nanoTime() - start);

        assertThat(spent).as("writes while PostgreSQL is down").isLessThan(Duration.ofSeconds(5));
        assertThat(mirror.isBehind()).isTrue();
        assertThat(mirror.pendingWrites()).isPositive();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(mirror::isBehind);

        postgres = startPostgres(port);

        await().atMost(Duration.ofSeconds(60)).until(() -> !mirror.isBehind());
        assertThat(mirror.droppedWrites()).isZero();
        var serverRow = sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server)));
        assertThat(serverRow.getDockerVersion()).isEqualTo("20.10.24");
        assertThat(serverRow.getState()).isEqualTo("Ready");
        assertThat(serverRow.getDeletedAt()).isNull();
        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(doomed))).getDeletedAt()).isNotNull();
        var appRow = sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app)));
        assertThat(appRow.getImage()).isEqualTo("berth-test/httpd:2");
        assertThat(appRow.getServerId()).isEqualTo(uid(server));
        var deploymentRow = sql.fetchOne(APPLICATION_DEPLOYMENTS, APPLICATION_DEPLOYMENTS.ID.eq(deployment));
        assertThat(deploymentRow.getStatus()).isEqualTo("finished");
        assertThat(deploymentRow.getImageDigest()).isEqualTo("sha256:feed");
        assertThat(sql.select(APPLICATION_DEPLOYMENT_LOGS.LINE).from(APPLICATION_DEPLOYMENT_LOGS)
                .where(APPLICATION_DEPLOYMENT_LOGS.DEPLOYMENT_ID.eq(deployment))
                .orderBy(APPLICATION_DEPLOYMENT_LOGS.LINE_NO)
                .fetch(APPLICATION_DEPLOYMENT_LOGS.LINE)).containsExactlyElementsOf(lines);
        assertThat(sql.select(ACTIVITY_LOG.ACTION).from(ACTIVITY_LOG).where(ACTIVITY_LOG.RESOURCE_ID.eq(uid(app)))
                .orderBy(ACTIVITY_LOG.OCCURRED_AT).fetch(ACTIVITY_LOG.ACTION))
                .containsExactlyInAnyOrder("container.create", "container.start");
        var runRow = sql.fetchOne(BACKUP_EXECUTIONS, BACKUP_EXECUTIONS.ID.eq(run));
        assertThat(runRow.getStatus()).isEqualTo("failed");
        assertThat(runRow.getMessage()).isEqualTo("destination unreachable");

        // Back to writing at once.
        app.getSpec().setImage("berth-test/httpd:3");
        mirror.upsert(app);
        assertThat(mirror.isBehind()).isFalse();
        assertThat(sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app))).getImage()).isEqualTo("berth-test/httpd:3");
    }

    @Test
    void aMirrorStartedWhilePostgresIsDownMigratesAndCatchesUpWhenItComes() throws IOException {
        int port = freePort();
        // Initialise the data directory once, then stop: the operator starts against a server that is down.
        startPostgres(port).close();
        database = MirrorDatabase.open("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", null, null);
        assertThat(database.isMigrated()).isFalse();
        mirror = new PostgresMirror(database, Clock.systemUTC(), Duration.ofMillis(50), Duration.ofMillis(500));
        Server server = Fixtures.server("late", "web-1", Map.of());
        mirror.upsert(server);
        assertThat(mirror.isBehind()).isTrue();

        postgres = startPostgres(port);

        await().atMost(Duration.ofSeconds(60)).until(() -> !mirror.isBehind());
        assertThat(database.isMigrated()).isTrue();
        assertThat(database.dsl().fetchOne(SERVERS, SERVERS.ID.eq(uid(server)))).isNotNull();
    }

    private EmbeddedPostgres startPostgres(int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static UUID uid(io.fabric8.kubernetes.api.model.HasMetadata resource) {
        return UUID.fromString(resource.getMetadata().getUid());
    }
}
