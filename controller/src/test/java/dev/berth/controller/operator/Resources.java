package dev.berth.controller.operator;

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
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Valid resources of each kind, for the operator integration tests. */
final class Resources {
    static final String NS = "test";

    private Resources() {
    }

    static Server server(String name, String keySecret) {
        Server s = new Server();
        s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS)
                .withLabels(Map.of("berth.dev/project", "shop", "berth.dev/environment", "prod")).build());
        ServerSpec spec = new ServerSpec();
        spec.setHost("10.213.1.2");
        spec.setPrivateKeySecretRef(new SecretKeyRef(keySecret, null));
        s.setSpec(spec);
        return s;
    }

    static Application application(String name, String server, String envSecret) {
        Application a = new Application();
        a.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        ApplicationSpec spec = new ApplicationSpec();
        spec.setServerRef(new LocalRef(server));
        spec.setImage("berth-test/httpd:1");
        ApplicationSpec.EnvVar plain = new ApplicationSpec.EnvVar();
        plain.setName("MODE");
        plain.setValue("production");
        ApplicationSpec.EnvVar secret = new ApplicationSpec.EnvVar();
        secret.setName("DB_PASSWORD");
        ApplicationSpec.EnvVarSource from = new ApplicationSpec.EnvVarSource();
        from.setSecretKeyRef(new SecretKeyRef(envSecret, "password"));
        secret.setValueFrom(from);
        spec.setEnv(List.of(plain, secret));
        ApplicationSpec.PortMapping port = new ApplicationSpec.PortMapping();
        port.setContainerPort(8080);
        spec.setPorts(List.of(port));
        a.setSpec(spec);
        return a;
    }

    static StandaloneDatabase database(String name, String server) {
        StandaloneDatabase d = new StandaloneDatabase();
        d.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef(server));
        spec.setEngine(StandaloneDatabaseSpec.Engine.POSTGRESQL);
        spec.setDatabaseName("shop");
        d.setSpec(spec);
        return d;
    }

    static ScheduledBackup backup(String name, String database) {
        ScheduledBackup b = new ScheduledBackup();
        b.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        ScheduledBackupSpec spec = new ScheduledBackupSpec();
        spec.setDatabaseRef(new LocalRef(database));
        spec.setSchedule("@daily");
        ScheduledBackupSpec.Destination destination = new ScheduledBackupSpec.Destination();
        ScheduledBackupSpec.HostDestination host = new ScheduledBackupSpec.HostDestination();
        host.setPath("/var/backups/berth");
        destination.setHost(host);
        spec.setDestination(destination);
        b.setSpec(spec);
        return b;
    }

    /** A Secret with {@code data} (the mock does not turn stringData into data). */
    static Secret secret(String name, Map<String, String> values) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withData(values.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                        e -> Base64.getEncoder().encodeToString(e.getValue().getBytes(StandardCharsets.UTF_8)))))
                .build();
    }
}
