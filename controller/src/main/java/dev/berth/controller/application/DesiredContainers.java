package dev.berth.controller.application;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.HealthCheck;
import dev.berth.api.v1alpha1.Resources;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.host.ContainerLimits;
import dev.berth.controller.validation.Durations;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The desired state of an Application as a pure function of its spec, the resolved env values and the Server's
 * network: container templates with Berth's labels, the network alias, ports, mounts, limits, restart policy, the
 * Docker health check and the routing labels of {@code spec.domains}.
 *
 * <p>Container names are {@code <namespace>-<name>-<hash8>-<replica>}: unique per host, and different for each
 * configuration, so a rolling update can start the new containers beside the old ones, and a create that is retried
 * after a crash finds its container by name instead of making a second one.
 */
public final class DesiredContainers {
    /** Label: which replica (0-based) a container is. */
    public static final String LABEL_REPLICA = "berth.dev/replica";
    /** Label: namespace/name of the Application, for people reading {@code docker ps}. */
    public static final String LABEL_APPLICATION = "berth.dev/application";

    static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMinutes(5);
    static final Duration DEFAULT_START_PERIOD = Duration.ofSeconds(5);
    static final int DEFAULT_DRAIN_SECONDS = 10;

    private DesiredContainers() {
    }

    public static DesiredState compute(Application app, ResolvedEnv env, String network) {
        ApplicationSpec spec = app.getSpec();
        String namespace = app.getMetadata().getNamespace();
        String name = app.getMetadata().getName();

        List<ContainerSpec.PortMapping> ports = new ArrayList<>();
        boolean publishes = false;
        for (ApplicationSpec.PortMapping p : list(spec.getPorts())) {
            ports.add(new ContainerSpec.PortMapping(p.getContainerPort(),
                    p.getProtocol() == null ? "tcp" : p.getProtocol().dockerName(), p.getHostIP(), p.getHostPort()));
            publishes |= p.getHostPort() != null;
        }
        List<ContainerSpec.MountSpec> mounts = new ArrayList<>();
        List<DesiredState.VolumeToCreate> volumes = new ArrayList<>();
        for (ApplicationSpec.VolumeMount v : list(spec.getVolumes())) {
            boolean named = v.getName() != null;
            mounts.add(new ContainerSpec.MountSpec(named ? v.getName() : v.getHostPath(), v.getMountPath(), named,
                    Boolean.TRUE.equals(v.getReadOnly())));
            if (named) {
                volumes.add(new DesiredState.VolumeToCreate(v.getName(), Boolean.TRUE.equals(v.getDeleteOnRemove())));
            }
        }
        Integer firstPort = ports.stream().filter(p -> "tcp".equals(p.protocol()))
                .map(ContainerSpec.PortMapping::containerPort).findFirst().orElse(null);

        Map<String, String> userLabels = new TreeMap<>(spec.getLabels() == null ? Map.of() : spec.getLabels());
        userLabels.putAll(RoutingLabels.of(namespace + "-" + name, spec.getDomains(), network, firstPort));

        HealthCheck check = spec.getHealthCheck();
        ContainerSpec.Health health = dockerHealth(check, firstPort);
        Duration startPeriod = check == null ? DEFAULT_START_PERIOD
                : Durations.parse(check.getStartPeriod()).orElse(DEFAULT_START_PERIOD);
        Resources resources = spec.getResources();
        Long memory = resources == null ? null : ContainerLimits.memoryBytes(resources.getMemory());
        Long nanoCpus = resources == null ? null : ContainerLimits.nanoCpus(resources.getCpus());
        String restart = restartPolicy(spec.getRestartPolicy());
        List<String> aliases = aliases(app);
        List<String> entrypoint = spec.getCommand() == null || spec.getCommand().isEmpty() ? null : spec.getCommand();
        List<String> args = spec.getArgs() == null ? List.of() : spec.getArgs();

        ContainerSpec template = new ContainerSpec(null, spec.getImage(), args, env.values(), userLabels, network,
                aliases, ports, mounts, memory, nanoCpus, restart, entrypoint, health);
        String hash = hash(template);

        int replicas = spec.getReplicas() == null ? 1 : spec.getReplicas();
        List<ContainerSpec> containers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            Map<String, String> labels = new LinkedHashMap<>(userLabels);
            labels.put(Berth.LABEL_MANAGED, "true");
            labels.put(Berth.LABEL_APP, app.getMetadata().getUid());
            labels.put(LABEL_APPLICATION, namespace + "/" + name);
            labels.put(Berth.LABEL_GENERATION, String.valueOf(app.getMetadata().getGeneration()));
            labels.put(Berth.LABEL_CONFIG_HASH, hash);
            labels.put(LABEL_REPLICA, Integer.toString(i));
            containers.add(new ContainerSpec(containerName(namespace, name, hash, i), spec.getImage(), args,
                    env.values(), labels, network, aliases, ports, mounts, memory, nanoCpus, restart, entrypoint,
                    health));
        }
        ApplicationSpec.Rollout rollout = spec.getRollout();
        Duration healthTimeout = rollout == null ? DEFAULT_HEALTH_TIMEOUT
                : Durations.parse(rollout.getHealthTimeout()).orElse(DEFAULT_HEALTH_TIMEOUT);
        boolean recreate = rollout != null && rollout.getStrategy() == ApplicationSpec.Strategy.Recreate;
        DesiredState.Strategy strategy = recreate || publishes ? DesiredState.Strategy.STOP_FIRST
                : DesiredState.Strategy.ROLLING;
        return new DesiredState(hash, spec.getImage(), containers, strategy, publishes, healthTimeout, startPeriod,
                health != null, volumes, drain(rollout), network, aliases);
    }

    /** The Application's DNS aliases on the Server's network: its name, and name.namespace. */
    static List<String> aliases(Application app) {
        return List.of(app.getMetadata().getName(), app.getMetadata().getName() + "." + app.getMetadata().getNamespace());
    }

    static Duration drain(ApplicationSpec.Rollout rollout) {
        Integer seconds = rollout == null ? null : rollout.getDrainSeconds();
        return Duration.ofSeconds(seconds == null ? DEFAULT_DRAIN_SECONDS : Math.max(0, seconds));
    }

    /** The labels every container of the Application carries: how Berth finds them on the host. */
    public static Map<String, String> selector(Application app) {
        return Map.of(Berth.LABEL_MANAGED, "true", Berth.LABEL_APP, app.getMetadata().getUid());
    }

    static String containerName(String namespace, String name, String hash, int replica) {
        return namespace + "-" + name + "-" + hash.substring(0, 8) + "-" + replica;
    }

    /**
     * SHA-256 over every field that goes into the container, env values included, as a 16-hex-digit label value.
     * The values are hashed, never stored: the hash is all that is kept.
     */
    static String hash(ContainerSpec t) {
        StringBuilder b = new StringBuilder();
        field(b, "image", t.image());
        field(b, "entrypoint", t.entrypoint() == null ? "-" : String.join("\u0000", t.entrypoint()));
        field(b, "args", String.join("\u0000", t.command()));
        new TreeMap<>(t.env()).forEach((k, v) -> field(b, "env:" + k, v));
        new TreeMap<>(t.labels()).forEach((k, v) -> field(b, "label:" + k, v));
        field(b, "network", t.network());
        field(b, "aliases", String.join(",", t.networkAliases()));
        t.ports().forEach(p -> field(b, "port", p.containerPort() + "/" + p.protocol() + "@" + p.hostIp() + ":" + p.hostPort()));
        t.mounts().forEach(m -> field(b, "mount", m.source() + ">" + m.target() + ":" + m.volume() + ":" + m.readOnly()));
        field(b, "memory", String.valueOf(t.memoryBytes()));
        field(b, "cpus", String.valueOf(t.nanoCpus()));
        field(b, "restart", t.restartPolicy());
        ContainerSpec.Health h = t.health();
        field(b, "health", h == null ? "-" : String.join("\u0000", h.test()) + "|" + h.interval() + "|" + h.timeout()
                + "|" + h.retries() + "|" + h.startPeriod());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static void field(StringBuilder b, String key, String value) {
        String v = value == null ? "\u0001null" : value;
        b.append(key.length()).append(':').append(key).append('=').append(v.length()).append(':').append(v).append('\n');
    }

    /** Docker's HEALTHCHECK for the spec's check; null for type none (or no check). */
    static ContainerSpec.Health dockerHealth(HealthCheck check, Integer firstPort) {
        if (check == null || check.getType() == null || check.getType() == HealthCheck.Type.none) {
            return null;
        }
        Integer port = check.getPort() != null ? check.getPort() : firstPort;
        List<String> test = switch (check.getType()) {
            case http -> List.of("CMD-SHELL", httpProbe(port, check.getPath() == null ? "/" : check.getPath()));
            case tcp -> List.of("CMD-SHELL", "nc -z 127.0.0.1 " + port
                    + " || bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + port + "'");
            case command -> {
                List<String> cmd = new ArrayList<>();
                cmd.add("CMD");
                cmd.addAll(check.getCommand());
                yield cmd;
            }
            case none -> throw new IllegalStateException("handled above");
        };
        return new ContainerSpec.Health(test,
                Durations.parse(check.getInterval()).orElse(Duration.ofSeconds(10)),
                Durations.parse(check.getTimeout()).orElse(Duration.ofSeconds(5)),
                check.getRetries() == null ? 3 : check.getRetries(),
                Durations.parse(check.getStartPeriod()).orElse(DEFAULT_START_PERIOD));
    }

    /** wget (busybox, Alpine, Debian) or else curl; the image needs one of them. */
    private static String httpProbe(Integer port, String path) {
        String url = shellQuote("http://127.0.0.1:" + port + path);
        return "wget -q -O /dev/null " + url + " || curl -fsS -o /dev/null " + url;
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static String restartPolicy(ApplicationSpec.RestartPolicy policy) {
        if (policy == null) {
            return "unless-stopped";
        }
        return switch (policy) {
            case NO -> "no";
            case ALWAYS -> "always";
            case UNLESS_STOPPED -> "unless-stopped";
            case ON_FAILURE -> "on-failure";
        };
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
