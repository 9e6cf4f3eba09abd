package dev.berth.controller.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.controller.mirror.jooq.DefaultSchema;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Recognisable secret values placed everywhere a careless mapping could pick them up never reach a row (any
 * column of any table, read as text) or a log line, while the references to them do.
 */
class MirrorSecretsIT {

    static final String PRIVATE_KEY = "PRIVATE-KEY-MATERIAL-5b1e";
    static final String SECRET_ENV = "db-password-from-secret-77c3";
    static final String LITERAL_ENV = "literal-password-in-spec-9d04";
    static final String REQUIREPASS = "redis-requirepass-value-e21a";
    static final String S3_SECRET = "s3-secret-in-endpoint-41ff";
    static final List<String> MARKERS = List.of(PRIVATE_KEY, SECRET_ENV, LITERAL_ENV, REQUIREPASS, S3_SECRET);

    @TempDir
    Path dataDir;

    @Test
    void noSecretValueReachesAnyRowOrLogLine() {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        try (MirrorDatabase database = MirrorDatabase.open(null, null, null, dataDir.resolve("pgdata"));
                PostgresMirror mirror = new PostgresMirror(database, Clock.systemUTC(), Duration.ofMillis(50),
                        Duration.ofMillis(500))) {
            String ns = "secrets";
            Secret key = secret(ns, "web-1-key", Map.of("ssh-privatekey", PRIVATE_KEY));
            Secret credentials = secret(ns, "db-credentials", Map.of("password", SECRET_ENV));

            Server server = Fixtures.server(ns, "web-1", Map.of());
            server.getMetadata().setAnnotations(Map.of("note", "key is " + PRIVATE_KEY));

            Application app = Fixtures.application(ns, "shop", "web-1", Map.of());
            ApplicationSpec.EnvVar literal = new ApplicationSpec.EnvVar();
            literal.setName("ADMIN_PASSWORD");
            literal.setValue(LITERAL_ENV);
            app.getSpec().getEnv().add(literal);
            ApplicationSpec.EnvFromSource all = new ApplicationSpec.EnvFromSource();
            all.setSecretRef(new LocalRef("db-credentials"));
            app.getSpec().getEnvFrom().add(all);
            app.getMetadata().setAnnotations(Map.of("kubectl.kubernetes.io/last-applied-configuration",
                    "{\"spec\":{\"env\":[{\"name\":\"ADMIN_PASSWORD\",\"value\":\"" + LITERAL_ENV + "\"}]}}"));

            StandaloneDatabase cache = Fixtures.database(ns, "cache", "web-1");
            cache.getSpec().getConfig().put("requirepass", REQUIREPASS);
            cache.getSpec().getConfig().put("masterauth", REQUIREPASS);

            ScheduledBackup backup = Fixtures.backup(ns, "cache-daily", "cache");
            backup.getSpec().getDestination().getS3().setEndpoint("https://AKIAEXAMPLE:" + S3_SECRET + "@s3.example.com");

            // A reconciler holding the Secrets by mistake passes them too: refused, not stored.
            mirror.upsert(key);
            mirror.upsert(credentials);
            mirror.upsert(server);
            mirror.upsert(app);
            mirror.upsert(cache);
            mirror.upsert(backup);
            mirror.recordActivity(server, "network.create", "berth");
            mirror.recordPrivateKeyFingerprint(server, "SHA256:Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8");
            var deployment = mirror.deploymentQueued(app, "berth-test/httpd:1", "created");
            mirror.deploymentFinished(deployment, DeploymentStatus.FINISHED, null, null);
            var run = mirror.backupStarted(backup, "immediate");
            mirror.backupFinished(run, BackupStatus.SUCCEEDED, 1L,
                    "https://AKIAEXAMPLE:" + S3_SECRET + "@s3.example.com/dumps/cache.rdb", null);
            assertThat(mirror.awaitActivity(Duration.ofSeconds(10))).isTrue();
            assertThat(mirror.isBehind()).isFalse();

            String everything = allRowsAsText(database.dsl());
            assertThat(everything)
                    .as("the references are mirrored")
                    .contains("web-1-key", "db-credentials", "ADMIN_PASSWORD", "requirepass", "s3.example.com",
                            "s3-credentials");
            for (String marker : MARKERS) {
                assertThat(everything).as("rows must not contain a secret value").doesNotContain(marker);
            }
        } finally {
            root.detachAppender(logs);
        }
        List<String> logText = new ArrayList<>();
        for (ILoggingEvent event : logs.list) {
            logText.add(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                logText.add(t.getMessage());
            }
        }
        String allLogs = String.join("\n", logText.stream().map(String::valueOf).toList());
        assertThat(allLogs).contains("not a mirrored kind: Secret");
        for (String marker : MARKERS) {
            assertThat(allLogs).as("logs must not contain a secret value").doesNotContain(marker);
        }
    }

    /** Every row of every table of the mirror, each read as text (all columns, JSONB included). */
    private static String allRowsAsText(DSLContext sql) {
        StringBuilder out = new StringBuilder();
        for (Table<?> table : DefaultSchema.DEFAULT_SCHEMA.getTables()) {
            sql.resultQuery("select cast(t as text) from {0} as t", DSL.name(table.getName()))
                    .fetch()
                    .forEach(r -> out.append(table.getName()).append(": ").append(r.get(0, String.class)).append('\n'));
        }
        assertThat(out).as("rows were written").isNotEmpty();
        return out.toString();
    }

    private static Secret secret(String namespace, String name, Map<String, String> data) {
        SecretBuilder b = new SecretBuilder().withNewMetadata()
                .withNamespace(namespace).withName(name).withUid(java.util.UUID.randomUUID().toString())
                .endMetadata();
        data.forEach((k, v) -> b.addToData(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return b.build();
    }
}
