package dev.berth.controller.mirror;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Resources as the API server would hand them to a reconciler: with uid, namespace, generation. */
final class Fixtures {

    private Fixtures() {
    }

    static <T extends HasMetadata> T meta(T resource, String namespace, String name, Map<String, String> labels) {
        resource.setMetadata(new ObjectMetaBuilder()
                .withNamespace(namespace)
                .withName(name)
                .withUid(UUID.randomUUID().toString())
                .withGeneration(1L)
                .withCreationTimestamp("2026-11-26T10:00:00Z")
                .withLabels(labels)
                .build());
        return resource;
    }

    static Server server(String namespace, String name, Map<String, String> labels) {
        Server server = meta(new Server(), namespace, name, labels);
        ServerSpec spec = new ServerSpec();
        spec.setHost("10.213.1.2");
        spec.setPrivateKeySecretRef(new SecretKeyRef(name + "-key", null));
        server.setSpec(spec);
        return server;
    }

    static Application application(String namespace, String name, String serverName, Map<String, String> labels) {
        Application app = meta(new Application(), namespace, name, labels);
        ApplicationSpec spec = new ApplicationSpec();
        spec.setServerRef(new LocalRef(serverName));
        spec.setImage("berth-test/httpd:1");
        ApplicationSpec.EnvVar plain = new ApplicationSpec.EnvVar();
        plain.setName("GREETING");
        plain.setValue("hello");
        ApplicationSpec.EnvVar fromSecret = new ApplicationSpec.EnvVar();
        fromSecret.setName("DB_PASSWORD");
        ApplicationSpec.EnvVarSource source = new ApplicationSpec.EnvVarSource();
        source.setSecretKeyRef(new SecretKeyRef("db-credentials", "password"));
        fromSecret.setValueFrom(source);
        spec.setEnv(new java.util.ArrayList<>(List.of(plain, fromSecret)));
        app.setSpec(spec);
        return app;
    }

    static StandaloneDatabase database(String namespace, String name, String serverName) {
        StandaloneDatabase db = meta(new StandaloneDatabase(), namespace, name, Map.of());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef(serverName));
        spec.setEngine(StandaloneDatabaseSpec.Engine.POSTGRESQL);
        spec.setDatabaseName("shop");
        spec.setUsername("shop");
        spec.setConfig(new java.util.LinkedHashMap<>(Map.of("max_connections", "200")));
        db.setSpec(spec);
        return db;
    }

    static ScheduledBackup backup(String namespace, String name, String databaseName) {
        ScheduledBackup backup = meta(new ScheduledBackup(), namespace, name, Map.of());
        ScheduledBackupSpec spec = new ScheduledBackupSpec();
        spec.setDatabaseRef(new LocalRef(databaseName));
        spec.setSchedule("@daily");
        ScheduledBackupSpec.Destination destination = new ScheduledBackupSpec.Destination();
        ScheduledBackupSpec.S3Destination s3 = new ScheduledBackupSpec.S3Destination();
        s3.setEndpoint("http://127.0.0.1:9000");
        s3.setBucket("dumps");
        s3.setCredentialsSecretRef(new LocalRef("s3-credentials"));
        destination.setS3(s3);
        spec.setDestination(destination);
        backup.setSpec(spec);
        return backup;
    }
}
