package dev.berth.controller.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseStatus;
import dev.berth.controller.mirror.jooq.tables.records.ApplicationsRecord;
import dev.berth.controller.mirror.jooq.tables.records.ScheduledBackupsRecord;
import dev.berth.controller.mirror.jooq.tables.records.ServersRecord;
import dev.berth.controller.mirror.jooq.tables.records.StandaloneDatabasesRecord;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MirrorRowsTest {

    static final OffsetDateTime NOW = OffsetDateTime.parse("2026-11-26T12:00:00Z");

    @Test
    void tenancyComesFromTheNamespaceAndLabelsWithCoolifysDefaults() {
        Server labelled = Fixtures.server("team-a", "web-1",
                Map.of(Berth.LABEL_PROJECT, "shop", Berth.LABEL_ENVIRONMENT, "staging"));
        Server plain = Fixtures.server("team-a", "web-2", Map.of());

        assertThat(Tenancy.of(labelled)).isEqualTo(new Tenancy("team-a", "shop", "staging"));
        assertThat(Tenancy.of(plain)).isEqualTo(new Tenancy("team-a", "default", "production"));
        assertThat(Tenancy.of(labelled).teamId()).isEqualTo(Tenancy.of(plain).teamId());
        assertThat(Tenancy.of(labelled).projectId()).isNotEqualTo(Tenancy.of(plain).projectId());
        // Same names, same ids, in any process; names cannot run into each other.
        assertThat(new Tenancy("a", "b", "c").environmentId()).isEqualTo(new Tenancy("a", "b", "c").environmentId());
        assertThat(new Tenancy("a", "b-c", "d").environmentId()).isNotEqualTo(new Tenancy("a-b", "c", "d").environmentId());
        assertThat(new Tenancy("prod", "default", "production").teamId()).isNotEqualTo(new Tenancy("x", "prod", "production").projectId());
    }

    @Test
    void aServerRowCarriesSpecStatusAndItsKeyReferenceOnly() {
        Server server = Fixtures.server("team-a", "web-1", Map.of());
        ServerStatus status = new ServerStatus();
        status.setObservedGeneration(1L);
        status.setState("Ready");
        status.getConditions().add(new Condition("Ready", "True", "Verified", "ok", "2026-11-26T11:00:00Z", 1L));
        status.setDockerVersion("20.10.24");
        status.setCpus(2);
        status.setLastCheckTime("2026-11-26T11:59:30Z");
        server.setStatus(status);

        ResourceRows rows = MirrorRows.of(server, NOW);
        ServersRecord row = (ServersRecord) rows.row();

        assertThat(rows.kind()).isEqualTo(MirrorKind.SERVER);
        assertThat(row.getId()).isEqualTo(UUID.fromString(server.getMetadata().getUid()));
        assertThat(row.getReady()).isEqualTo("True");
        assertThat(row.getState()).isEqualTo("Ready");
        assertThat(row.getObservedGeneration()).isEqualTo(1L);
        assertThat(row.getPort()).isEqualTo(22);
        assertThat(row.getSshUser()).isEqualTo("root");
        assertThat(row.getHostKeyPolicy()).isEqualTo("TrustOnFirstUse");
        assertThat(row.getDockerVersion()).isEqualTo("20.10.24");
        assertThat(row.getCpus()).isEqualTo(2);
        assertThat(row.getLastCheckAt()).isEqualTo(OffsetDateTime.parse("2026-11-26T11:59:30Z"));
        assertThat(row.getK8sCreatedAt()).isEqualTo(OffsetDateTime.parse("2026-11-26T10:00:00Z"));
        assertThat(row.getCreatedAt()).isEqualTo(NOW);
        assertThat(row.getDeletedAt()).isNull();
        assertThat(row.getSpec().data()).contains("\"privateKeySecretRef\":{\"name\":\"web-1-key\"}");
        assertThat(rows.privateKey().getSecretName()).isEqualTo("web-1-key");
        assertThat(rows.privateKey().getSecretKey()).isEqualTo("ssh-privatekey");
        assertThat(row.getPrivateKeyId()).isEqualTo(rows.privateKey().getId());
        assertThat(rows.deleting()).isFalse();
    }

    @Test
    void environmentVariablesAreNamesAndSourcesNeverValues() {
        Application app = Fixtures.application("team-a", "shop", "web-1", Map.of());
        ApplicationSpec.EnvVar fromConfigMap = new ApplicationSpec.EnvVar();
        fromConfigMap.setName("MODE");
        ApplicationSpec.EnvVarSource source = new ApplicationSpec.EnvVarSource();
        source.setConfigMapKeyRef(new dev.berth.api.v1alpha1.SecretKeyRef("settings", "mode"));
        fromConfigMap.setValueFrom(source);
        app.getSpec().getEnv().add(fromConfigMap);
        ApplicationSpec.EnvFromSource all = new ApplicationSpec.EnvFromSource();
        all.setConfigMapRef(new LocalRef("shared"));
        all.setPrefix("SHARED_");
        app.getSpec().getEnvFrom().add(all);

        ResourceRows rows = MirrorRows.of(app, NOW);
        ApplicationsRecord row = (ApplicationsRecord) rows.row();

        assertThat(rows.serverName()).isEqualTo("web-1");
        assertThat(row.getServerName()).isEqualTo("web-1");
        assertThat(row.getImage()).isEqualTo("berth-test/httpd:1");
        assertThat(row.getReplicas()).isEqualTo(1);
        assertThat(rows.envVars()).extracting(r -> r.getPosition() + " " + r.getName() + " " + r.getSource() + " "
                        + r.getFromAll() + " " + r.getRefName() + " " + r.getRefKey() + " " + r.getPrefix())
                .containsExactly(
                        "0 GREETING value false null null null",
                        "1 DB_PASSWORD secret false db-credentials password null",
                        "2 MODE configmap false settings mode null",
                        "3 null configmap true shared null SHARED_");
        String spec = row.getSpec().data();
        assertThat(spec).doesNotContain("hello").contains("\"name\":\"GREETING\",\"source\":\"value\"");
        assertThat(spec).contains("\"secretKeyRef\":{\"name\":\"db-credentials\",\"key\":\"password\"}");
    }

    @Test
    void applicationStatusFillsItsColumns() {
        Application app = Fixtures.application("team-a", "shop", "web-1", Map.of());
        var status = new dev.berth.api.v1alpha1.ApplicationStatus();
        UUID deployment = UUID.randomUUID();
        status.setCurrentImage("berth-test/httpd:1");
        status.setImageDigest("sha256:abc");
        status.setLastDeployment(deployment.toString());
        app.setStatus(status);

        ApplicationsRecord row = (ApplicationsRecord) MirrorRows.of(app, NOW).row();

        assertThat(row.getCurrentImage()).isEqualTo("berth-test/httpd:1");
        assertThat(row.getImageDigest()).isEqualTo("sha256:abc");
        assertThat(row.getLastDeploymentId()).isEqualTo(deployment);
        assertThat(row.getReady()).isNull();
    }

    @Test
    void engineSettingsThatLookLikeCredentialsAreRedacted() {
        StandaloneDatabase db = Fixtures.database("team-a", "cache", "web-1");
        db.getSpec().getConfig().put("requirepass", "hunter2");
        db.getSpec().getConfig().put("maxmemory", "256mb");
        StandaloneDatabaseStatus status = new StandaloneDatabaseStatus();
        status.setCredentialsSecretName("cache-credentials");
        status.setHost("cache");
        status.setPort(5432);
        db.setStatus(status);

        StandaloneDatabasesRecord row = (StandaloneDatabasesRecord) MirrorRows.of(db, NOW).row();

        assertThat(row.getEngine()).isEqualTo("postgresql");
        assertThat(row.getSettings().data()).contains("\"maxmemory\":\"256mb\"", "\"requirepass\":\"<redacted>\"")
                .doesNotContain("hunter2");
        assertThat(row.getSpec().data()).doesNotContain("hunter2");
        assertThat(row.getCredentialsSecretName()).isEqualTo("cache-credentials");
        assertThat(row.getStatus().data()).contains("\"credentialsSecretName\":\"cache-credentials\"");
        assertThat(row.getConnectionHost()).isEqualTo("cache");
        assertThat(row.getConnectionPort()).isEqualTo(5432);
        assertThat(MirrorRows.settings(Map.of("masterauth", "x", "api_token", "y", "max_connections", "200")))
                .containsExactly(Map.entry("api_token", "<redacted>"), Map.entry("masterauth", "<redacted>"),
                        Map.entry("max_connections", "200"));
    }

    @Test
    void credentialsInUrlsAreRemoved() {
        assertThat(MirrorRows.withoutUserInfo("https://key:secret@s3.example.com:9000/bucket?x=1"))
                .isEqualTo("https://s3.example.com:9000/bucket?x=1");
        assertThat(MirrorRows.withoutUserInfo("http://127.0.0.1:9000")).isEqualTo("http://127.0.0.1:9000");
        assertThat(MirrorRows.withoutUserInfo("not a url with secret@host")).isEqualTo("<redacted>");

        ScheduledBackup backup = Fixtures.backup("team-a", "daily", "orders");
        backup.getSpec().getDestination().getS3().setEndpoint("https://AKIA:topsecret@s3.example.com");
        ScheduledBackupsRecord row = (ScheduledBackupsRecord) MirrorRows.of(backup, NOW).row();
        assertThat(row.getS3Endpoint()).isEqualTo("https://s3.example.com");
        assertThat(row.getSpec().data()).doesNotContain("topsecret").contains("s3-credentials");
        assertThat(row.getS3CredentialsSecret()).isEqualTo("s3-credentials");
        assertThat(row.getDatabaseName()).isEqualTo("orders");
    }

    @Test
    void anyStringFieldNamedLikeACredentialIsRedactedButReferencesAreKept() {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        node.put("password", "p1");
        node.putObject("nested").put("apiToken", "t1").put("credentialsSecretName", "creds");
        node.putObject("credentialsSecretRef").put("name", "creds-ref");
        node.putArray("list").addObject().put("secretAccessKey", "k1");

        String json = MirrorRows.json(node).data();

        assertThat(json).doesNotContain("p1", "t1", "k1").contains("creds", "creds-ref");
    }

    @Test
    void aResourceBeingDeletedIsMarkedSo() {
        Application app = Fixtures.application("team-a", "shop", "web-1", Map.of());
        app.getMetadata().setDeletionTimestamp("2026-11-26T12:00:00Z");
        assertThat(MirrorRows.of(app, NOW).deleting()).isTrue();
    }

    @Test
    void resourcesWithoutAUuidOrOfOtherKindsAreRefusedWithoutQuotingValues() {
        Application app = Fixtures.application("team-a", "shop", "web-1", Map.of());
        app.getMetadata().setUid(null);
        assertThatThrownBy(() -> MirrorRows.of(app, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("team-a/shop").hasMessageContaining("no metadata.uid");
        ConfigMap configMap = Fixtures.meta(new ConfigMap(), "team-a", "settings", Map.of());
        configMap.setData(Map.of("k", "value-not-to-quote"));
        assertThatThrownBy(() -> MirrorRows.of(configMap, NOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("value-not-to-quote");
    }

    @Test
    void textForTextColumnsHasNoNulCharacters() {
        assertThat(MirrorRows.text("a\0b")).isEqualTo("a b");
        assertThat(MirrorRows.text(null)).isNull();
    }
}
