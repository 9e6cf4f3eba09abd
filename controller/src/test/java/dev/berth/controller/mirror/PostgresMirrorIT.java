package dev.berth.controller.mirror;

import static dev.berth.controller.mirror.jooq.Tables.ACTIVITY_LOG;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATIONS;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATION_DEPLOYMENTS;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATION_DEPLOYMENT_LOGS;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATION_ENVIRONMENT_VARIABLES;
import static dev.berth.controller.mirror.jooq.Tables.BACKUP_EXECUTIONS;
import static dev.berth.controller.mirror.jooq.Tables.ENVIRONMENTS;
import static dev.berth.controller.mirror.jooq.Tables.PRIVATE_KEYS;
import static dev.berth.controller.mirror.jooq.Tables.PROJECTS;
import static dev.berth.controller.mirror.jooq.Tables.SCHEDULED_BACKUPS;
import static dev.berth.controller.mirror.jooq.Tables.SERVERS;
import static dev.berth.controller.mirror.jooq.Tables.STANDALONE_DATABASES;
import static dev.berth.controller.mirror.jooq.Tables.TEAMS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationStatus;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.ManualClock;
import dev.berth.controller.mirror.jooq.tables.records.ApplicationDeploymentsRecord;
import dev.berth.controller.mirror.jooq.tables.records.ServersRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mirror against a real (embedded) PostgreSQL. Each test works in its own namespace. */
class PostgresMirrorIT {

    @TempDir
    static Path dataDir;

    static MirrorDatabase database;
    static DSLContext sql;

    ManualClock clock;
    PostgresMirror mirror;
    String ns;

    @BeforeAll
    static void startDatabase() {
        database = MirrorDatabase.open(null, null, null, dataDir.resolve("pgdata"));
        sql = database.dsl();
    }

    @AfterAll
    static void stopDatabase() {
        database.close();
    }

    @BeforeEach
    void newMirror() {
        clock = new ManualClock(Instant.parse("2026-11-26T12:00:00Z"));
        mirror = new PostgresMirror(database, clock, Duration.ofMillis(50), Duration.ofMillis(500));
        ns = "ns-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeMirror() {
        mirror.close();
    }

    @Test
    void upsertCreatesTheRowWithTeamProjectAndEnvironmentResolved() {
        Server server = Fixtures.server(ns, "web-1",
                Map.of(Berth.LABEL_PROJECT, "shop", Berth.LABEL_ENVIRONMENT, "staging"));
        mirror.upsert(server);

        assertThat(mirror.isBehind()).isFalse();
        ServersRecord row = sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server)));
        assertThat(row).isNotNull();
        assertThat(row.getName()).isEqualTo("web-1");
        assertThat(row.getNamespace()).isEqualTo(ns);
        assertThat(row.getHost()).isEqualTo("10.213.1.2");
        assertThat(row.getGeneration()).isEqualTo(1L);
        assertThat(row.getDeletedAt()).isNull();
        assertThat(sql.fetchOne(TEAMS, TEAMS.ID.eq(row.getTeamId())).getName()).isEqualTo(ns);
        assertThat(sql.fetchOne(PROJECTS, PROJECTS.ID.eq(row.getProjectId())).getName()).isEqualTo("shop");
        var environment = sql.fetchOne(ENVIRONMENTS, ENVIRONMENTS.ID.eq(row.getEnvironmentId()));
        assertThat(environment.getName()).isEqualTo("staging");
        assertThat(environment.getProjectId()).isEqualTo(row.getProjectId());
        var key = sql.fetchOne(PRIVATE_KEYS, PRIVATE_KEYS.ID.eq(row.getPrivateKeyId()));
        assertThat(key.getSecretName()).isEqualTo("web-1-key");
        assertThat(key.getSecretKey()).isEqualTo("ssh-privatekey");

        Application app = Fixtures.application(ns, "shop", "web-1", Map.of());
        mirror.upsert(app);
        var appRow = sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app)));
        assertThat(appRow.getServerId()).isEqualTo(uid(server));
        assertThat(appRow.getTeamId()).isEqualTo(row.getTeamId());
        assertThat(sql.fetchOne(PROJECTS, PROJECTS.ID.eq(appRow.getProjectId())).getName()).isEqualTo("default");
        assertThat(sql.fetchOne(ENVIRONMENTS, ENVIRONMENTS.ID.eq(appRow.getEnvironmentId())).getName())
                .isEqualTo("production");
        assertThat(sql.selectFrom(APPLICATION_ENVIRONMENT_VARIABLES)
                .where(APPLICATION_ENVIRONMENT_VARIABLES.APPLICATION_ID.eq(uid(app)))
                .orderBy(APPLICATION_ENVIRONMENT_VARIABLES.POSITION)
                .fetch(r -> r.getName() + ":" + r.getSource() + ":" + r.getRefName() + ":" + r.getRefKey()))
                .containsExactly("GREETING:value:null:null", "DB_PASSWORD:secret:db-credentials:password");

        StandaloneDatabase db = Fixtures.database(ns, "orders", "web-1");
        ScheduledBackup backup = Fixtures.backup(ns, "orders-daily", "orders");
        mirror.upsert(db);
        mirror.upsert(backup);
        assertThat(sql.fetchOne(STANDALONE_DATABASES, STANDALONE_DATABASES.ID.eq(uid(db))).getServerId())
                .isEqualTo(uid(server));
        var backupRow = sql.fetchOne(SCHEDULED_BACKUPS, SCHEDULED_BACKUPS.ID.eq(uid(backup)));
        assertThat(backupRow.getStandaloneDatabaseId()).isEqualTo(uid(db));
        assertThat(backupRow.getSchedule()).isEqualTo("@daily");
    }

    @Test
    void anUpdateChangesTheRow() {
        Application app = Fixtures.application(ns, "shop", "web-1", Map.of());
        mirror.upsert(app);
        OffsetDateTime created = sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app))).getUpdatedAt();

        clock.advance(Duration.ofMinutes(1));
        app.getSpec().setImage("berth-test/httpd:2");
        app.getMetadata().setGeneration(2L);
        ApplicationStatus status = new ApplicationStatus();
        status.setState("Deploying");
        status.getConditions().add(new Condition("Ready", "False", "Deploying", "rolling out", null, 2L));
        app.setStatus(status);
        mirror.upsert(app);

        var row = sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app)));
        assertThat(row.getImage()).isEqualTo("berth-test/httpd:2");
        assertThat(row.getGeneration()).isEqualTo(2L);
        assertThat(row.getState()).isEqualTo("Deploying");
        assertThat(row.getReady()).isEqualTo("False");
        assertThat(row.getStatus().data()).contains("rolling out");
        assertThat(row.getUpdatedAt()).isAfter(created);
        assertThat(row.getCreatedAt()).isEqualTo(created);
    }

    @Test
    void anUnchangedSecondUpsertLeavesUpdatedAtAlone() {
        Server server = Fixtures.server(ns, "web-1", Map.of());
        ServerStatus status = new ServerStatus();
        status.setDockerVersion("20.10.24");
        status.setLastCheckTime("2026-11-26T11:59:00Z");
        server.setStatus(status);
        mirror.upsert(server);
        ServersRecord first = sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server)));

        clock.advance(Duration.ofMinutes(5));
        mirror.upsert(server);

        ServersRecord second = sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server)));
        assertThat(second.getUpdatedAt()).isEqualTo(first.getUpdatedAt());
        assertThat(second).isEqualTo(first);
        assertThat(sql.fetchCount(SERVERS, SERVERS.NAMESPACE.eq(ns))).isEqualTo(1);
    }

    @Test
    void markDeletedSoftDeletesAndKeepsTheHistory() {
        Server server = Fixtures.server(ns, "web-1", Map.of());
        Application app = Fixtures.application(ns, "shop", "web-1", Map.of());
        mirror.upsert(server);
        mirror.upsert(app);
        UUID deployment = mirror.deploymentQueued(app, "berth-test/httpd:1", "created");
        mirror.deploymentStarted(deployment);
        mirror.deploymentLog(deployment, List.of("pulling berth-test/httpd:1", "container started"));
        mirror.deploymentFinished(deployment, DeploymentStatus.FINISHED, "sha256:abc", null);
        mirror.recordActivity(app, "container.start", "container 3f2a started");
        assertThat(mirror.awaitActivity(Duration.ofSeconds(10))).as("activity row written").isTrue();

        clock.advance(Duration.ofMinutes(1));
        mirror.markDeleted(app);

        var row = sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app)));
        assertThat(row.getDeletedAt()).isEqualTo(OffsetDateTime.now(clock));
        ApplicationDeploymentsRecord history = sql.fetchOne(APPLICATION_DEPLOYMENTS, APPLICATION_DEPLOYMENTS.ID.eq(deployment));
        assertThat(history.getStatus()).isEqualTo("finished");
        assertThat(history.getImageDigest()).isEqualTo("sha256:abc");
        assertThat(history.getServerId()).isEqualTo(uid(server));
        assertThat(history.getStartedAt()).isNotNull();
        assertThat(history.getFinishedAt()).isNotNull();
        assertThat(sql.select(APPLICATION_DEPLOYMENT_LOGS.LINE).from(APPLICATION_DEPLOYMENT_LOGS)
                .where(APPLICATION_DEPLOYMENT_LOGS.DEPLOYMENT_ID.eq(deployment))
                .orderBy(APPLICATION_DEPLOYMENT_LOGS.LINE_NO).fetch(APPLICATION_DEPLOYMENT_LOGS.LINE))
                .containsExactly("pulling berth-test/httpd:1", "container started");
        var activity = sql.fetchOne(ACTIVITY_LOG, ACTIVITY_LOG.RESOURCE_ID.eq(uid(app)));
        assertThat(activity.getAction()).isEqualTo("container.start");
        assertThat(activity.getServerId()).isEqualTo(uid(server));

        // The server row is untouched; a second markDeleted keeps the first deletion time.
        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server))).getDeletedAt()).isNull();
        clock.advance(Duration.ofMinutes(1));
        mirror.markDeleted(app);
        assertThat(sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app))).getDeletedAt())
                .isEqualTo(row.getDeletedAt());
    }

    @Test
    void resyncSoftDeletesOnlyTheRowsOfVanishedUids() {
        Server kept = Fixtures.server(ns, "kept", Map.of());
        Server vanished = Fixtures.server(ns, "vanished", Map.of());
        Application app = Fixtures.application(ns, "shop", "kept", Map.of());
        mirror.upsert(kept);
        mirror.upsert(vanished);
        mirror.upsert(app);

        mirror.resync(Server.class, List.of(), List.of(kept.getMetadata().getUid()));

        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(kept))).getDeletedAt()).isNull();
        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(vanished))).getDeletedAt()).isNotNull();
        assertThat(sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app))).getDeletedAt())
                .as("other kinds are not touched").isNull();
    }

    @Test
    void concurrentFirstWritesOfANamespaceAllLand() throws Exception {
        // Reconcilers of different kinds run in parallel; the first resources of a new namespace all create the same
        // team, project and environment rows at once. None of their upserts may be dropped.
        String fresh = ns + "-race";
        List<Server> servers = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            servers.add(Fixtures.server(fresh, "s" + i, Map.of(Berth.LABEL_PROJECT, "p", Berth.LABEL_ENVIRONMENT, "e")));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> writes = new java.util.ArrayList<>();
            for (Server server : servers) {
                writes.add(pool.submit(() -> {
                    start.await();
                    mirror.upsert(server);
                    return null;
                }));
            }
            start.countDown();
            for (var write : writes) {
                write.get();
            }
        } finally {
            pool.shutdownNow();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !mirror.isBehind());
        assertThat(mirror.droppedWrites()).isZero();
        for (Server server : servers) {
            assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server)))).as(server.getMetadata().getName()).isNotNull();
        }
    }

    @Test
    void resyncScopedToNamespacesLeavesOtherNamespacesAlone() {
        String other = ns + "-other";
        Server watched = Fixtures.server(ns, "watched-gone", Map.of());
        Server unwatched = Fixtures.server(other, "not-watched", Map.of());
        mirror.upsert(watched);
        mirror.upsert(unwatched);

        // An operator watching only `ns` sees neither in its list: only the row of its own namespace goes.
        mirror.resync(Server.class, List.of(ns), List.of());

        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(watched))).getDeletedAt()).isNotNull();
        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(unwatched))).getDeletedAt())
                .as("a namespace this operator does not watch is not touched").isNull();
    }

    @Test
    void closeStuckDeploymentsFailsOnlyThoseFromBefore() {
        Application app = Fixtures.application(ns, "shop", "web-1", Map.of());
        mirror.upsert(app);
        UUID stuck = mirror.deploymentQueued(app, "berth-test/httpd:1", "created");
        mirror.deploymentStarted(stuck);
        UUID done = mirror.deploymentQueued(app, "berth-test/httpd:1", "created");
        mirror.deploymentFinished(done, DeploymentStatus.ROLLED_BACK, null, "health check failed");

        clock.advance(Duration.ofSeconds(1));
        mirror.closeStuckDeployments("operator restarted during the deployment");
        UUID fresh = mirror.deploymentQueued(app, "berth-test/httpd:2", "spec changed");

        assertThat(status(stuck)).isEqualTo("failed");
        assertThat(sql.fetchOne(APPLICATION_DEPLOYMENTS, APPLICATION_DEPLOYMENTS.ID.eq(stuck)).getMessage())
                .isEqualTo("operator restarted during the deployment");
        assertThat(status(done)).isEqualTo("rolled_back");
        assertThat(status(fresh)).isEqualTo("queued");
    }

    @Test
    void backupExecutionsAreRecorded() {
        StandaloneDatabase db = Fixtures.database(ns, "orders", "web-1");
        ScheduledBackup backup = Fixtures.backup(ns, "orders-daily", "orders");
        mirror.upsert(db);
        UUID run = mirror.backupStarted(backup, "immediate");
        var running = sql.fetchOne(BACKUP_EXECUTIONS, BACKUP_EXECUTIONS.ID.eq(run));
        assertThat(running.getStatus()).isEqualTo("running");
        assertThat(running.getStandaloneDatabaseId()).isEqualTo(uid(db));
        assertThat(sql.fetchOne(SCHEDULED_BACKUPS, SCHEDULED_BACKUPS.ID.eq(uid(backup))))
                .as("the owner row exists even before its first upsert").isNotNull();

        mirror.backupFinished(run, BackupStatus.SUCCEEDED, 4096L, "s3://dumps/orders/2026-11-26.sql.gz", null);
        var finished = sql.fetchOne(BACKUP_EXECUTIONS, BACKUP_EXECUTIONS.ID.eq(run));
        assertThat(finished.getStatus()).isEqualTo("succeeded");
        assertThat(finished.getSizeBytes()).isEqualTo(4096L);
        assertThat(finished.getFinishedAt()).isNotNull();
    }

    private String status(UUID deployment) {
        return sql.fetchOne(APPLICATION_DEPLOYMENTS, APPLICATION_DEPLOYMENTS.ID.eq(deployment)).getStatus();
    }

    private static UUID uid(io.fabric8.kubernetes.api.model.HasMetadata resource) {
        return UUID.fromString(resource.getMetadata().getUid());
    }
}
