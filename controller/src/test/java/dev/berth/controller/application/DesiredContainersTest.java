package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.HealthCheck;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.Resources;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.host.ContainerLimits;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredContainersTest {

    static Application app() {
        Application a = new Application();
        a.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("shop").withUid("uid-1").withGeneration(3L)
                .build());
        ApplicationSpec spec = new ApplicationSpec();
        spec.setServerRef(new LocalRef("h1"));
        spec.setImage("registry.example.com/shop/web:1.4.2");
        ApplicationSpec.PortMapping port = new ApplicationSpec.PortMapping();
        port.setContainerPort(8080);
        spec.setPorts(List.of(port));
        a.setSpec(spec);
        return a;
    }

    static ResolvedEnv env(String password) {
        return new ResolvedEnv(Map.of("MODE", "production", "DB_PASSWORD", password));
    }

    @Test
    void oneContainerPerReplicaWithBerthLabelsAliasAndNetwork() {
        Application app = app();
        app.getSpec().setReplicas(2);
        DesiredState d = DesiredContainers.compute(app, env("s3cret"), "berth");

        assertThat(d.containers()).hasSize(2);
        ContainerSpec c = d.containers().get(0);
        assertThat(c.name()).isEqualTo("shop-web-" + d.configHash().substring(0, 8) + "-0");
        assertThat(d.containers().get(1).name()).endsWith("-1");
        assertThat(c.labels()).containsEntry(Berth.LABEL_MANAGED, "true")
                .containsEntry(Berth.LABEL_APP, "uid-1")
                .containsEntry(Berth.LABEL_GENERATION, "3")
                .containsEntry(Berth.LABEL_CONFIG_HASH, d.configHash())
                .containsEntry(DesiredContainers.LABEL_REPLICA, "0")
                .containsEntry(DesiredContainers.LABEL_APPLICATION, "shop/web");
        assertThat(c.network()).isEqualTo("berth");
        assertThat(c.networkAliases()).containsExactly("web", "web.shop");
        assertThat(c.image()).isEqualTo("registry.example.com/shop/web:1.4.2");
        assertThat(c.env()).containsEntry("DB_PASSWORD", "s3cret");
        assertThat(c.ports()).containsExactly(new ContainerSpec.PortMapping(8080, "tcp", null, null));
        assertThat(c.restartPolicy()).isEqualTo("unless-stopped");
        assertThat(c.health()).isNull();
        assertThat(d.dockerHealthCheck()).isFalse();
        assertThat(d.startPeriod()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.healthTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(d.strategy()).isEqualTo(DesiredState.Strategy.ROLLING);
        assertThat(DesiredContainers.selector(app)).isEqualTo(Map.of(Berth.LABEL_MANAGED, "true", Berth.LABEL_APP, "uid-1"));
    }

    @Test
    void hashCoversEnvValuesButNeverShowsThem() {
        DesiredState a = DesiredContainers.compute(app(), env("one"), "berth");
        DesiredState b = DesiredContainers.compute(app(), env("two"), "berth");
        DesiredState again = DesiredContainers.compute(app(), env("one"), "berth");

        assertThat(a.configHash()).isEqualTo(again.configHash()).hasSize(16).matches("[0-9a-f]{16}");
        assertThat(b.configHash()).isNotEqualTo(a.configHash());
        assertThat(a.containers().get(0).labels().values()).doesNotContain("one");
        assertThat(a.containers().get(0).toString()).doesNotContain("one").contains("DB_PASSWORD");
        assertThat(env("one").toString()).doesNotContain("one").contains("DB_PASSWORD");
    }

    @Test
    void hashIgnoresReplicasRolloutSettingsAndGenerationButNotImageOrLimits() {
        String base = DesiredContainers.compute(app(), env("x"), "berth").configHash();

        Application scaled = app();
        scaled.getSpec().setReplicas(3);
        scaled.getSpec().getRollout().setHealthTimeout("1m");
        scaled.getMetadata().setGeneration(9L);
        assertThat(DesiredContainers.compute(scaled, env("x"), "berth").configHash()).isEqualTo(base);

        Application image = app();
        image.getSpec().setImage("registry.example.com/shop/web:1.4.3");
        assertThat(DesiredContainers.compute(image, env("x"), "berth").configHash()).isNotEqualTo(base);

        Application limited = app();
        Resources r = new Resources();
        r.setMemory("256m");
        limited.getSpec().setResources(r);
        assertThat(DesiredContainers.compute(limited, env("x"), "berth").configHash()).isNotEqualTo(base);

        assertThat(DesiredContainers.compute(app(), env("x"), "other-net").configHash()).isNotEqualTo(base);
    }

    @Test
    void commandIsTheEntrypointArgsTheCommand() {
        Application app = app();
        app.getSpec().setCommand(List.of("/bin/sh", "-c"));
        app.getSpec().setArgs(List.of("exec httpd -f"));
        ContainerSpec c = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth").containers().get(0);
        assertThat(c.entrypoint()).containsExactly("/bin/sh", "-c");
        assertThat(c.command()).containsExactly("exec httpd -f");

        ContainerSpec plain = DesiredContainers.compute(app(), ResolvedEnv.empty(), "berth").containers().get(0);
        assertThat(plain.entrypoint()).isNull();
        assertThat(plain.command()).isEmpty();
    }

    @Test
    void portsVolumesLimitsAndRestartPolicy() {
        Application app = app();
        ApplicationSpec spec = app.getSpec();
        ApplicationSpec.PortMapping published = new ApplicationSpec.PortMapping();
        published.setContainerPort(53);
        published.setProtocol(ApplicationSpec.Protocol.UDP);
        published.setHostPort(5353);
        published.setHostIP("127.0.0.1");
        spec.setPorts(List.of(spec.getPorts().get(0), published));
        ApplicationSpec.VolumeMount data = new ApplicationSpec.VolumeMount();
        data.setName("shop-data");
        data.setMountPath("/data");
        data.setDeleteOnRemove(true);
        ApplicationSpec.VolumeMount host = new ApplicationSpec.VolumeMount();
        host.setHostPath("/srv/static");
        host.setMountPath("/www");
        host.setReadOnly(true);
        spec.setVolumes(List.of(data, host));
        Resources r = new Resources();
        r.setMemory("512m");
        r.setCpus("0.5");
        spec.setResources(r);
        spec.setRestartPolicy(ApplicationSpec.RestartPolicy.ON_FAILURE);

        DesiredState d = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
        ContainerSpec c = d.containers().get(0);
        assertThat(c.ports()).containsExactly(new ContainerSpec.PortMapping(8080, "tcp", null, null),
                new ContainerSpec.PortMapping(53, "udp", "127.0.0.1", 5353));
        assertThat(c.mounts()).containsExactly(new ContainerSpec.MountSpec("shop-data", "/data", true, false),
                new ContainerSpec.MountSpec("/srv/static", "/www", false, true));
        assertThat(d.volumes()).containsExactly(new DesiredState.VolumeToCreate("shop-data", true));
        assertThat(c.memoryBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(c.nanoCpus()).isEqualTo(500_000_000L);
        assertThat(c.restartPolicy()).isEqualTo("on-failure");
        assertThat(d.publishesHostPorts()).isTrue();
        assertThat(d.strategy()).as("a host port cannot be held twice").isEqualTo(DesiredState.Strategy.STOP_FIRST);
    }

    @Test
    void recreateIsStopFirst() {
        Application app = app();
        app.getSpec().getRollout().setStrategy(ApplicationSpec.Strategy.Recreate);
        assertThat(DesiredContainers.compute(app, ResolvedEnv.empty(), "berth").strategy())
                .isEqualTo(DesiredState.Strategy.STOP_FIRST);
    }

    @Test
    void memoryAndCpuUnits() {
        assertThat(ContainerLimits.memoryBytes("1g")).isEqualTo(1L << 30);
        assertThat(ContainerLimits.memoryBytes("64Mi")).isEqualTo(64L << 20);
        assertThat(ContainerLimits.memoryBytes("2048")).isEqualTo(2048L);
        assertThat(ContainerLimits.memoryBytes("4k")).isEqualTo(4096L);
        assertThat(ContainerLimits.memoryBytes(null)).isNull();
        assertThatThrownBy(() -> ContainerLimits.memoryBytes("3x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ContainerLimits.nanoCpus("2")).isEqualTo(2_000_000_000L);
        assertThat(ContainerLimits.nanoCpus("0.25")).isEqualTo(250_000_000L);
    }

    @Test
    void healthChecksBecomeDockerHealthchecks() {
        Application app = app();
        HealthCheck http = new HealthCheck();
        http.setType(HealthCheck.Type.http);
        http.setPath("/healthz");
        http.setInterval("2s");
        http.setTimeout("1s");
        http.setRetries(2);
        http.setStartPeriod("3s");
        app.getSpec().setHealthCheck(http);
        DesiredState d = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
        ContainerSpec.Health h = d.containers().get(0).health();
        assertThat(d.dockerHealthCheck()).isTrue();
        assertThat(h.test()).containsExactly("CMD-SHELL", "wget -q -O /dev/null 'http://127.0.0.1:8080/healthz'"
                + " || curl -fsS -o /dev/null 'http://127.0.0.1:8080/healthz'");
        assertThat(h.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(h.retries()).isEqualTo(2);
        assertThat(h.startPeriod()).isEqualTo(Duration.ofSeconds(3));
        assertThat(d.startPeriod()).isEqualTo(Duration.ofSeconds(3));

        HealthCheck tcp = new HealthCheck();
        tcp.setType(HealthCheck.Type.tcp);
        tcp.setPort(9000);
        assertThat(DesiredContainers.dockerHealth(tcp, 8080).test().get(1)).startsWith("nc -z 127.0.0.1 9000");

        HealthCheck command = new HealthCheck();
        command.setType(HealthCheck.Type.command);
        command.setCommand(List.of("/bin/check", "--quick"));
        assertThat(DesiredContainers.dockerHealth(command, null).test()).containsExactly("CMD", "/bin/check", "--quick");

        HealthCheck none = new HealthCheck();
        none.setStartPeriod("20s");
        app.getSpec().setHealthCheck(none);
        DesiredState plain = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth");
        assertThat(plain.dockerHealthCheck()).isFalse();
        assertThat(plain.containers().get(0).health()).isNull();
        assertThat(plain.startPeriod()).as("with type none: how long it must stay running").isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void pathsAreShellQuoted() {
        assertThat(DesiredContainers.shellQuote("/a'b;c")).isEqualTo("'/a'\\''b;c'");
    }

    @Test
    void domainsBecomeTraefikLabels() {
        Application app = app();
        app.getSpec().setDomains(List.of("shop.example.com", "*.shop.example.com"));
        app.getSpec().setLabels(Map.of("team", "payments"));
        Map<String, String> labels = DesiredContainers.compute(app, ResolvedEnv.empty(), "berth").containers().get(0).labels();

        assertThat(labels).containsEntry("team", "payments")
                .containsEntry("traefik.enable", "true")
                .containsEntry("traefik.docker.network", "berth")
                .containsEntry("traefik.http.routers.shop-web.rule",
                        "Host(`shop.example.com`) || HostRegexp(`^[^.]+\\.shop\\.example\\.com$`)")
                .containsEntry("traefik.http.routers.shop-web.entrypoints", "websecure")
                .containsEntry("traefik.http.routers.shop-web.tls.certresolver", "letsencrypt")
                .containsEntry("traefik.http.routers.shop-web-http.entrypoints", "web")
                .containsEntry("traefik.http.routers.shop-web-http.middlewares", "shop-web-https")
                .containsEntry("traefik.http.middlewares.shop-web-https.redirectscheme.scheme", "https")
                .containsEntry("traefik.http.services.shop-web.loadbalancer.server.port", "8080");

        Map<String, String> none = DesiredContainers.compute(app(), ResolvedEnv.empty(), "berth").containers().get(0).labels();
        assertThat(none.keySet()).noneMatch(k -> k.startsWith("traefik."));
        assertThat(DesiredContainers.compute(app, ResolvedEnv.empty(), "berth").configHash())
                .as("routing labels are part of the config: labels cannot change on a container")
                .isNotEqualTo(DesiredContainers.compute(app(), ResolvedEnv.empty(), "berth").configHash());
    }

    @Test
    void zeroReplicasMeansNoContainers() {
        Application app = app();
        app.getSpec().setReplicas(0);
        assertThat(DesiredContainers.compute(app, ResolvedEnv.empty(), "berth").containers()).isEmpty();
    }
}
