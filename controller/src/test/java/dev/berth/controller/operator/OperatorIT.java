package dev.berth.controller.operator;

import static dev.berth.controller.mirror.jooq.Tables.APPLICATIONS;
import static dev.berth.controller.mirror.jooq.Tables.SCHEDULED_BACKUPS;
import static dev.berth.controller.mirror.jooq.Tables.SERVERS;
import static dev.berth.controller.mirror.jooq.Tables.STANDALONE_DATABASES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.BerthStatus;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.BerthConfig;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.Main;
import dev.berth.controller.http.HealthCheck;
import dev.berth.controller.mirror.MirrorDatabase;
import dev.berth.controller.mirror.PostgresMirror;
import dev.berth.controller.status.Reasons;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The whole operator (all four reconcilers, their informers, the HTTP endpoints) against the in-process API
 * server in CRUD mode, with the real mirror on an embedded PostgreSQL, and Redis from the test bed when it is up.
 */
class OperatorIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** An Application whose env Secret is missing waits for it (issue 4): its Ready reason. */
    private static final String APP_WAITING_FOR_ENV = dev.berth.controller.application.ApplicationReasons.ENV_NOT_RESOLVED;
    /** A Server whose key Secret does not exist waits for it (issue 3), without touching a host: its reason and state. */
    private static final String SERVER_WAITING_FOR_KEY = dev.berth.controller.server.ServerReasons.SECRET_NOT_FOUND;
    /** A StandaloneDatabase on such a Server gets its login, then waits for the Server (issue 10), touching no host. */
    private static final String DB_WAITING_FOR_SERVER = dev.berth.controller.database.DatabaseReasons.SERVER_UNAVAILABLE;
    /** A ScheduledBackup whose database exists: scheduled (its database need be Ready only when a run starts). */
    private static final String BACKUP_SCHEDULED = "Ready";
    private static final List<String> capturedLog = Collections.synchronizedList(new ArrayList<>());
    private static final AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            capturedLog.add(e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
    };

    @TempDir
    static Path dataDir;
    static MirrorDatabase database;
    static DSLContext sql;
    static Optional<String> redisUrl;

    OperatorHarness h;
    PostgresMirror mirror;

    @BeforeAll
    static void startDatabaseAndCaptureLogs() throws Exception {
        database = MirrorDatabase.open(null, null, null, dataDir.resolve("pgdata"));
        sql = database.dsl();
        redisUrl = testBedRedisUrl();
        if (redisUrl.isEmpty()) {
            System.out.println("OperatorIT: no TESTBED_REDIS_URL in $BERTH_TESTBED_ENV: Redis assertions are SKIPPED"
                    + " (bring the test bed up with scripts/testbed.sh up)");
        }
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        capture.setContext(root.getLoggerContext());
        capture.start();
        root.addAppender(capture);
    }

    @AfterAll
    static void stopDatabase() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
                .detachAppender(capture);
        database.close();
    }

    @BeforeEach
    void apiServer() {
        h = new OperatorHarness();
        mirror = newMirror();
    }

    @AfterEach
    void stop() {
        h.close();
        mirror.close();
    }

    PostgresMirror newMirror() {
        return new PostgresMirror(database);
    }

    BerthOperator startOperator(PostgresMirror m) {
        UnaryOperator<BerthConfig> redis = c -> redisUrl.isEmpty() ? c : BerthConfig.from(Map.of(
                "BERTH_REDIS_URL", redisUrl.get(), "BERTH_HTTP_PORT", "0"));
        return startOperator(m, database, redis);
    }

    BerthOperator startOperator(PostgresMirror m, MirrorDatabase db, UnaryOperator<BerthConfig> customize) {
        return h.start(m, Main.mirrorCheck(db, m), customize);
    }

    @Test
    void withPostgreSqlDownReconcilesGoOnAndStatusAndReadinessSaySo() throws Exception {
        // Nothing listens on port 1: every write fails fast and is kept for later.
        try (MirrorDatabase down = MirrorDatabase.external("jdbc:postgresql://127.0.0.1:1/berth", "berth", null);
                PostgresMirror behind = new PostgresMirror(down)) {
            BerthOperator operator = startOperator(behind, down, c -> c);
            h.client.resource(Resources.server("h1", "h1-key")).create();
            awaitReady(Server.class, "h1", SERVER_WAITING_FOR_KEY);
            await().atMost(WAIT).untilAsserted(() -> assertThat(h.fetch(Server.class, "h1").getStatus()
                    .condition(Berth.CONDITION_MIRRORED)).hasValueSatisfying(c -> {
                        assertThat(c.getStatus()).isEqualTo("False");
                        assertThat(c.getReason()).isEqualTo(Berth.REASON_MIRROR_BEHIND);
                    }));
            HttpResponse<String> ready = h.get(operator, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).startsWith("ready (degraded)").contains("operator: ok")
                    .contains("mirror: DEGRADED PostgreSQL");
        }
    }

    @Test
    void eachKindIsMirroredUpdatedAndSoftDeletedThroughTheFinalizer() {
        startOperator(mirror);
        Server server = h.client.resource(Resources.server("h1", "h1-key")).create();
        Application app = h.client.resource(Resources.application("web", "h1", "web-env")).create();
        StandaloneDatabase db = h.client.resource(Resources.database("orders", "h1")).create();
        ScheduledBackup backup = h.client.resource(Resources.backup("orders-daily", "orders")).create();

        List<Class<? extends CustomResource<?, ? extends BerthStatus>>> kinds =
                List.of(Server.class, Application.class, StandaloneDatabase.class, ScheduledBackup.class);
        for (Class<? extends CustomResource<?, ? extends BerthStatus>> kind : kinds) {
            String name = kind == Server.class ? "h1" : kind == Application.class ? "web"
                    : kind == StandaloneDatabase.class ? "orders" : "orders-daily";
            // The Application's env Secret does not exist: it waits for it (issue 4), without touching a host.
            boolean isApp = kind == Application.class;
            boolean isServer = kind == Server.class;
            boolean isDb = kind == StandaloneDatabase.class;
            awaitReady(kind, name, isApp ? APP_WAITING_FOR_ENV : isServer ? SERVER_WAITING_FOR_KEY
                    : isDb ? DB_WAITING_FOR_SERVER : BACKUP_SCHEDULED);
            CustomResource<?, ? extends BerthStatus> r = h.client.resources(kind).inNamespace(Resources.NS).withName(name).get();
            assertThat(r.getMetadata().getFinalizers()).contains(Berth.FINALIZER);
            assertThat(r.getStatus().getObservedGeneration()).isEqualTo(1L);
            assertThat(r.getStatus().getState()).isEqualTo(isApp || isDb ? "Waiting" : isServer ? SERVER_WAITING_FOR_KEY
                    : "Ready");
            assertThat(r.getStatus().condition(Berth.CONDITION_MIRRORED)).map(Condition::getStatus).contains("True");
        }
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server))).getDeletedAt()).isNull();
            assertThat(sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app))).getImage()).isEqualTo("berth-test/httpd:1");
            assertThat(sql.fetchOne(STANDALONE_DATABASES, STANDALONE_DATABASES.ID.eq(uid(db)))).isNotNull();
            assertThat(sql.fetchOne(SCHEDULED_BACKUPS, SCHEDULED_BACKUPS.ID.eq(uid(backup)))).isNotNull();
        });

        // Update: a spec change is a new generation, reconciled and mirrored.
        h.client.resources(Application.class).inNamespace(Resources.NS).withName("web")
                .edit(a -> {
                    a.getSpec().setImage("berth-test/httpd:2");
                    return a;
                });
        await().atMost(WAIT).untilAsserted(() -> {
            var row = sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app)));
            assertThat(row.getImage()).isEqualTo("berth-test/httpd:2");
            assertThat(row.getGeneration()).isEqualTo(2L);
            assertThat(h.fetch(Application.class, "web").getStatus().getObservedGeneration()).isEqualTo(2L);
        });

        // Delete: the finalizer soft-deletes the row, then lets the resource go.
        h.client.resource(h.fetch(Application.class, "web")).delete();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(h.fetch(Application.class, "web")).isNull();
            assertThat(sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app))).getDeletedAt()).isNotNull();
        });
        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server))).getDeletedAt()).isNull();
    }

    @Test
    void invalidSpecGetsInvalidSpecWithAClearMessageWhileOthersCarryOn() {
        startOperator(mirror);
        Server bad = Resources.server("bad", "bad-key");
        bad.getSpec().setPort(70000);
        bad.getSpec().getHostKey().setPolicy(dev.berth.api.v1alpha1.ServerSpec.HostKeyPolicy.Pinned);
        Server created = h.client.resource(bad).create();
        ScheduledBackup badBackup = Resources.backup("bad-cron", "orders");
        badBackup.getSpec().setSchedule("every night");
        h.client.resource(badBackup).create();
        Server good = h.client.resource(Resources.server("good", "good-key")).create();

        Condition ready = awaitReady(Server.class, "bad", Berth.REASON_INVALID_SPEC);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getMessage()).contains("spec.port: must be between 1 and 65535 (got 70000)")
                .contains("spec.hostKey.fingerprint: required when spec.hostKey.policy is Pinned");
        assertThat(h.fetch(Server.class, "bad").getStatus().getState()).isEqualTo("Invalid");
        assertThat(awaitReady(ScheduledBackup.class, "bad-cron", Berth.REASON_INVALID_SPEC).getMessage())
                .contains("spec.schedule: 'every night' is not a five-field cron expression");
        awaitReady(Server.class, "good", SERVER_WAITING_FOR_KEY);
        await().atMost(WAIT).untilAsserted(() -> assertThat(events("bad"))
                .anySatisfy(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getReason()).isEqualTo(Berth.REASON_INVALID_SPEC);
                    assertThat(e.getMessage()).contains("spec.port");
                }));
        // An invalid spec is not mirrored; the valid one is.
        await().atMost(WAIT).untilAsserted(() -> assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(good)))).isNotNull());
        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(created)))).isNull();

        // No retry storm: the invalid resource is reconciled once per generation, not again and again.
        int writes = h.statusWrites.get();
        double reconciles = reconciles("Server");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(h.statusWrites.get()).isEqualTo(writes);
        assertThat(reconciles("Server")).isEqualTo(reconciles);

        // Fixed by a person: the next generation is accepted.
        h.client.resources(Server.class).inNamespace(Resources.NS).withName("bad").edit(s -> {
            s.getSpec().setPort(22);
            s.getSpec().getHostKey().setFingerprint("SHA256:" + "B".repeat(43));
            return s;
        });
        awaitReady(Server.class, "bad", SERVER_WAITING_FOR_KEY);
        await().atMost(WAIT).untilAsserted(() -> assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(created)))).isNotNull());
    }

    /**
     * A resource written against another version of the CRD, with enum values this version does not know, as the
     * API server stores it: raw JSON through the generic client (the in-process server enforces no schema, as a real
     * one accepts what a newer CRD allowed). Only that resource is reported; the informers keep running, so resources
     * created before and after it still get their status.
     */
    @Test
    void anEnumValueThisVersionDoesNotKnowMakesThatResourceInvalidWhileOthersConverge() {
        createRaw("Server", "odd", "{\"host\":\"10.213.1.2\",\"privateKeySecretRef\":{\"name\":\"k\"},"
                + "\"hostKey\":{\"policy\":\"AcceptAnything\"}}");
        startOperator(mirror);
        createRaw("Application", "odd-app", "{\"serverRef\":{\"name\":\"good\"},\"image\":\"web:1\","
                + "\"restartPolicy\":\"sometimes\",\"ports\":[{\"containerPort\":8080,\"protocol\":\"SCTP\"}],"
                + "\"healthCheck\":{\"type\":\"grpc\"},\"rollout\":{\"strategy\":\"BlueGreen\"}}");
        createRaw("StandaloneDatabase", "odd-db", "{\"serverRef\":{\"name\":\"good\"},\"engine\":\"cockroachdb\","
                + "\"storage\":{\"deletionPolicy\":\"Snapshot\"}}");

        assertThat(awaitReady(Server.class, "odd", Berth.REASON_INVALID_SPEC).getMessage()).isEqualTo("Invalid spec: "
                + "spec.hostKey.policy: 'AcceptAnything' is not a value this version of Berth knows (one of Pinned, TrustOnFirstUse)");
        assertThat(awaitReady(Application.class, "odd-app", Berth.REASON_INVALID_SPEC).getMessage())
                .contains("spec.restartPolicy: 'sometimes' is not a value this version of Berth knows")
                .contains("spec.ports[0].protocol: 'SCTP' is not a value this version of Berth knows (one of TCP, tcp, UDP, udp)")
                .contains("spec.healthCheck.type: 'grpc'")
                .contains("spec.rollout.strategy: 'BlueGreen'");
        assertThat(awaitReady(StandaloneDatabase.class, "odd-db", Berth.REASON_INVALID_SPEC).getMessage())
                .contains("spec.engine: 'cockroachdb' is not a value this version of Berth knows")
                .contains("spec.storage.deletionPolicy: 'Snapshot'")
                .doesNotContain("spec.engine: required");
        assertThat(h.fetch(Server.class, "odd").getStatus().getState()).isEqualTo("Invalid");

        // The same kinds keep converging: created after the odd ones, each gets its status. A realistic port
        // (protocol: TCP, as every Kubernetes manifest spells it) is valid.
        createRaw("Server", "good", "{\"host\":\"10.213.1.2\",\"privateKeySecretRef\":{\"name\":\"good-key\"}}");
        createRaw("Application", "good-app", "{\"serverRef\":{\"name\":\"good\"},\"image\":\"web:1\","
                + "\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"},{\"containerPort\":53,\"protocol\":\"udp\"}],"
                + "\"envFrom\":[{\"secretRef\":{\"name\":\"good-env\"}}]}");
        createRaw("StandaloneDatabase", "good-db", "{\"serverRef\":{\"name\":\"good\"},\"engine\":\"postgresql\"}");
        awaitReady(Server.class, "good", SERVER_WAITING_FOR_KEY);
        awaitReady(Application.class, "good-app", APP_WAITING_FOR_ENV);
        awaitReady(StandaloneDatabase.class, "good-db", DB_WAITING_FOR_SERVER);

        // Berth's status writes left the stored spec as it was written: the value is still there for the version
        // that knows it.
        var stored = h.client.genericKubernetesResources(Berth.GROUP + "/" + Berth.VERSION, "Application")
                .inNamespace(Resources.NS).withName("odd-app").get();
        assertThat(h.client.getKubernetesSerialization().asJson(stored.getAdditionalProperties().get("spec")))
                .contains("\"protocol\":\"SCTP\"").contains("\"restartPolicy\":\"sometimes\"")
                .contains("\"strategy\":\"BlueGreen\"");
    }

    private void createRaw(String kind, String name, String specJson) {
        String json = "{\"apiVersion\":\"" + Berth.GROUP + "/" + Berth.VERSION + "\",\"kind\":\"" + kind + "\","
                + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + Resources.NS + "\"},\"spec\":" + specJson + "}";
        h.client.genericKubernetesResources(Berth.GROUP + "/" + Berth.VERSION, kind).inNamespace(Resources.NS)
                .resource(h.client.getKubernetesSerialization().unmarshal(json,
                        io.fabric8.kubernetes.api.model.GenericKubernetesResource.class))
                .create();
    }

    @Test
    void aMissingReferenceIsReportedAndResolvedWhenTheReferencedObjectAppears() {
        startOperator(mirror);
        h.client.resource(Resources.application("early", "later", "env")).create();
        h.client.resource(Resources.backup("nightly", "orders")).create();
        assertThat(awaitReady(Application.class, "early", "ServerNotFound").getMessage())
                .contains("Server later (spec.serverRef.name) does not exist in namespace test");
        assertThat(awaitReady(ScheduledBackup.class, "nightly", "DatabaseNotFound").getMessage())
                .contains("StandaloneDatabase orders (spec.databaseRef.name) does not exist");

        h.client.resource(Resources.server("later", "later-key")).create();
        h.client.resource(Resources.database("orders", "later")).create();
        awaitReady(Application.class, "early", APP_WAITING_FOR_ENV);
        awaitReady(ScheduledBackup.class, "nightly", BACKUP_SCHEDULED);
        awaitReady(StandaloneDatabase.class, "orders", DB_WAITING_FOR_SERVER);
    }

    @Test
    void aSecondReconcileWithNothingChangedMakesNoStatusWrite() {
        startOperator(mirror);
        h.client.resource(Resources.server("h1", "h1-key")).create();
        h.client.resource(Resources.application("web", "h1", "web-env")).create();
        awaitReady(Server.class, "h1", SERVER_WAITING_FOR_KEY);
        awaitReady(Application.class, "web", APP_WAITING_FOR_ENV);
        await().atMost(WAIT).until(() -> reconciles("Application") >= 2 || h.statusWrites.get() >= 2);
        String appVersion = h.fetch(Application.class, "web").getMetadata().getResourceVersion();
        int writes = h.statusWrites.get();
        double unchanged = reconcilesUnchanged("Application");

        // A change to the referenced Server (a label: no new generation, so the Server itself is not reconciled)
        // makes the Application reconcile again, with nothing to change.
        h.client.resources(Server.class).inNamespace(Resources.NS).withName("h1")
                .edit(s -> {
                    s.getMetadata().getLabels().put("touched", "yes");
                    return s;
                });
        await().atMost(WAIT).until(() -> reconcilesUnchanged("Application") > unchanged);
        assertThat(h.statusWrites.get()).isEqualTo(writes);
        assertThat(h.fetch(Application.class, "web").getMetadata().getResourceVersion()).isEqualTo(appVersion);
    }

    @Test
    void aLookRightAfterAStatusWriteSeesThatWriteBeforeTheInformerDoes() {
        WatchEventGate watchEvents = new WatchEventGate();
        h.start(mirror, Main.mirrorCheck(database, mirror), watchEvents);
        AtomicInteger writes = statusWrites("scheduledbackups", "nightly");
        h.client.resource(Resources.backup("nightly", "orders")).create();
        awaitReady(ScheduledBackup.class, "nightly", Reasons.DATABASE_NOT_FOUND);
        try {
            // From here on the operator's informer sees nothing of the backup: not the status the next look writes,
            // nor anything after it. Looks are still triggered, by its referenced StandaloneDatabase.
            watchEvents.hold("nightly");
            int writesBefore = writes.get();
            double looks = reconciles("ScheduledBackup");
            h.client.resource(Resources.database("orders", "h1")).create();
            await().atMost(WAIT).until(() -> reconciles("ScheduledBackup") > looks);
            awaitReady(ScheduledBackup.class, "nightly", BACKUP_SCHEDULED);
            assertThat(writes.get() - writesBefore).isEqualTo(1);

            // The next look, right after that write (a label on the database: no new generation of either).
            double afterWrite = reconciles("ScheduledBackup");
            h.client.resources(StandaloneDatabase.class).inNamespace(Resources.NS).withName("orders").edit(d -> {
                d.getMetadata().setLabels(Map.of("touched", "yes"));
                return d;
            });
            await().atMost(WAIT).until(() -> reconciles("ScheduledBackup") > afterWrite);
            assertThat(writes.get() - writesBefore).as("status writes since the informer stopped seeing the backup: "
                    + "a look from the status one write old writes it again").isEqualTo(1);
            assertThat(events("nightly")).as("Events for the Ready change").filteredOn(e ->
                    BACKUP_SCHEDULED.equals(e.getReason())).hasSize(1);
        } finally {
            watchEvents.releaseAll();
        }
    }

    @Test
    void aStatusWriteThatConflictsIsWrittenOnTheNewerVersionNotLostAndNotRetriedInALoop() {
        WatchEventGate watchEvents = new WatchEventGate();
        h.start(mirror, Main.mirrorCheck(database, mirror), watchEvents);
        AtomicInteger writes = statusWrites("scheduledbackups", "weekly");
        h.client.resource(Resources.backup("weekly", "orders")).create();
        awaitReady(ScheduledBackup.class, "weekly", Reasons.DATABASE_NOT_FOUND);
        int writesBefore = writes.get();
        try {
            // The backup changes on the API server (a label: no new generation, so no look of its own) while the
            // operator's informer does not see it: the next look starts from the version before, and its status
            // write, locked to that version, conflicts.
            watchEvents.hold("weekly");
            h.client.resources(ScheduledBackup.class).inNamespace(Resources.NS).withName("weekly").edit(b -> {
                b.getMetadata().setLabels(Map.of("team", "shop"));
                return b;
            });
            h.client.resource(Resources.database("orders", "h1")).create();
            await().atMost(WAIT).until(() -> writes.get() > writesBefore);
            assertThat(OperatorHarness.ready(h.fetch(ScheduledBackup.class, "weekly")).map(Condition::getReason))
                    .as("not written over the newer version").contains(Reasons.DATABASE_NOT_FOUND);
        } finally {
            // The informer catches up: the same status is written onto the newer version.
            watchEvents.releaseAll();
        }
        awaitReady(ScheduledBackup.class, "weekly", BACKUP_SCHEDULED);
        ScheduledBackup written = h.fetch(ScheduledBackup.class, "weekly");
        assertThat(written.getMetadata().getLabels()).containsEntry("team", "shop");
        int writesAfter = writes.get();
        assertThat(writesAfter - writesBefore).as("one write refused (409), the same status written once more").isEqualTo(2);
        double looks = reconciles("ScheduledBackup");
        h.client.resources(StandaloneDatabase.class).inNamespace(Resources.NS).withName("orders").edit(d -> {
            d.getMetadata().setLabels(Map.of("touched", "yes"));
            return d;
        });
        await().atMost(WAIT).until(() -> reconciles("ScheduledBackup") > looks);
        assertThat(writes.get()).as("no further status write").isEqualTo(writesAfter);
        assertThat(events("weekly")).filteredOn(e -> BACKUP_SCHEDULED.equals(e.getReason())).hasSize(1);
    }

    @Test
    void aRestartedOperatorResyncsTheMirrorAndWritesNoStatusForUnchangedResources() {
        BerthOperator first = startOperator(mirror);
        Server keep = h.client.resource(Resources.server("keep", "k")).create();
        Server gone = h.client.resource(Resources.server("gone", "k")).create();
        awaitReady(Server.class, "keep", SERVER_WAITING_FOR_KEY);
        awaitReady(Server.class, "gone", SERVER_WAITING_FOR_KEY);
        await().atMost(WAIT).untilAsserted(() -> assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(gone)))).isNotNull());
        first.close();

        // While no operator runs: one Server is force-deleted (its finalizer removed by hand), one is created.
        h.client.resources(Server.class).inNamespace(Resources.NS).withName("gone").delete();
        h.client.resources(Server.class).inNamespace(Resources.NS).withName("gone").patch(
                PatchContext.of(PatchType.JSON), "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]");
        await().atMost(WAIT).until(() -> h.fetch(Server.class, "gone") == null);
        Server born = h.client.resource(Resources.server("born", "k")).create();
        int writesBefore = h.statusWrites.get();

        PostgresMirror second = newMirror();
        try {
            startOperator(second);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(gone))).getDeletedAt()).isNotNull();
                assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(born)))).isNotNull();
            });
            awaitReady(Server.class, "born", SERVER_WAITING_FOR_KEY);
            assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(keep))).getDeletedAt()).isNull();
            // The restart reconciled "keep" again with nothing changed: the only status write is the new one's.
            assertThat(h.statusWrites.get() - writesBefore).isEqualTo(1);
        } finally {
            h.close();
            second.close();
            h = new OperatorHarness();
        }
    }

    @Test
    void metricsHealthAndReadinessAnswer() throws Exception {
        BerthOperator operator = startOperator(mirror);
        h.client.resource(Resources.server("h1", "h1-key")).create();
        awaitReady(Server.class, "h1", SERVER_WAITING_FOR_KEY);

        HttpResponse<String> metrics = h.get(operator, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("operator_sdk_reconciliations_started_total")
                .contains("controller=\"server\"")
                .contains("berth_reconciles_total{kind=\"Server\"")
                .contains("jvm_memory_used_bytes");
        HttpResponse<String> health = h.get(operator, "/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        HttpResponse<String> ready = h.get(operator, "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("operator: ok").contains("mirror: ok");
        if (redisUrl.isPresent()) {
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(h.get(operator, "/readyz").body()).startsWith("ready\n").contains("redis: ok"));
        } else {
            System.out.println("OperatorIT: Redis line of /readyz not checked (no test bed Redis)");
        }
    }

    @Test
    void noSecretValueReachesStatusEventsMirrorRowsOrLogs() {
        String secretValue = "BERTH-SECRET-" + UUID.randomUUID();
        h.client.resource(Resources.secret("h1-key", Map.of("ssh-privatekey", "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                + secretValue + "\n-----END OPENSSH PRIVATE KEY-----\n"))).create();
        h.client.resource(Resources.secret("web-env", Map.of("password", secretValue))).create();
        capturedLog.clear();
        startOperator(mirror);
        Server server = h.client.resource(Resources.server("h1", "h1-key")).create();
        Application app = h.client.resource(Resources.application("web", "h1", "web-env")).create();
        Application broken = Resources.application("broken", "h1", "web-env");
        broken.getSpec().getEnv().get(0).setValueFrom(broken.getSpec().getEnv().get(1).getValueFrom());
        h.client.resource(broken).create();
        awaitReady(Server.class, "h1", dev.berth.controller.server.ServerReasons.PRIVATE_KEY_INVALID);
        // Its env Secret exists; the Server's key is not a key, so the host is not used.
        awaitReady(Application.class, "web", dev.berth.controller.application.ApplicationReasons.SERVER_UNAVAILABLE);
        awaitReady(Application.class, "broken", Berth.REASON_INVALID_SPEC);
        await().atMost(WAIT).untilAsserted(() -> assertThat(sql.fetchOne(APPLICATIONS, APPLICATIONS.ID.eq(uid(app)))).isNotNull());

        var json = h.client.getKubernetesSerialization();
        assertThat(json.asJson(h.fetch(Server.class, "h1").getStatus())).doesNotContain(secretValue);
        assertThat(json.asJson(h.fetch(Application.class, "web").getStatus())).doesNotContain(secretValue);
        assertThat(json.asJson(h.fetch(Application.class, "broken").getStatus())).doesNotContain(secretValue);
        assertThat(json.asJson(h.client.v1().events().inNamespace(Resources.NS).list())).doesNotContain(secretValue);
        List<String> tables = sql.fetch("select table_name from information_schema.tables where table_schema = 'public'")
                .getValues(0, String.class);
        for (String table : tables) {
            assertThat(sql.fetch("select row_to_json(t)::text from " + DSL.quotedName(table) + " t")
                    .getValues(0, String.class)).as("rows of %s", table).noneMatch(row -> row.contains(secretValue));
        }
        assertThat(sql.fetchOne(SERVERS, SERVERS.ID.eq(uid(server)))).isNotNull();
        synchronized (capturedLog) {
            assertThat(capturedLog).isNotEmpty().noneMatch(line -> line.contains(secretValue));
        }
    }

    private <T extends CustomResource<?, ? extends BerthStatus>> Condition awaitReady(Class<T> kind, String name,
            String reason) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(OperatorHarness.ready(h.fetch(kind, name)))
                .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(reason)));
        return OperatorHarness.ready(h.fetch(kind, name)).orElseThrow();
    }

    /** Counts the status writes (PATCH/PUT on /status) the API server receives for one resource. */
    private AtomicInteger statusWrites(String plural, String name) {
        AtomicInteger writes = new AtomicInteger();
        String path = "/apis/" + Berth.GROUP + "/v1alpha1/namespaces/" + Resources.NS + "/" + plural + "/" + name + "/status";
        h.api.onRequest(r -> {
            if (("PATCH".equals(r.getMethod()) || "PUT".equals(r.getMethod())) && r.getPath() != null
                    && r.getPath().split("\\?")[0].equals(path)) {
                writes.incrementAndGet();
            }
        });
        return writes;
    }

    private List<Event> events(String involvedName) {
        return h.client.v1().events().inNamespace(Resources.NS).list().getItems().stream()
                .filter(e -> involvedName.equals(e.getInvolvedObject().getName())).toList();
    }

    private double reconciles(String kind) {
        return h.operators().stream().mapToDouble(o -> o.metrics().registry().find("berth.reconciles")
                .tag("kind", kind).counters().stream().mapToDouble(c -> c.count()).sum()).sum();
    }

    private double reconcilesUnchanged(String kind) {
        return h.operators().stream().mapToDouble(o -> o.metrics().registry().find("berth.reconciles")
                .tag("kind", kind).tag("result", "unchanged").counters().stream().mapToDouble(c -> c.count()).sum()).sum();
    }

    private static UUID uid(io.fabric8.kubernetes.api.model.HasMetadata r) {
        return UUID.fromString(r.getMetadata().getUid());
    }

    static Optional<String> testBedRedisUrl() throws Exception {
        String env = System.getenv("BERTH_TESTBED_ENV");
        if (env == null || !Files.isRegularFile(Path.of(env))) {
            return Optional.empty();
        }
        return Files.readAllLines(Path.of(env)).stream().map(String::trim)
                .filter(l -> l.startsWith("TESTBED_REDIS_URL=")).map(l -> l.substring("TESTBED_REDIS_URL=".length()))
                .findFirst();
    }
}
