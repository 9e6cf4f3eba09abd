package dev.berth.controller.docker;

import java.util.List;
import java.util.Map;

/**
 * What to create: everything Berth sets on a container. Secret-bearing environment values are in {@code env};
 * {@link #toString()} lists only the variable names.
 */
public record ContainerSpec(
        String name,
        String image,
        List<String> command,
        Map<String, String> env,
        Map<String, String> labels,
        String network,
        List<String> networkAliases,
        List<PortMapping> ports,
        List<MountSpec> mounts,
        Long memoryBytes,
        Long nanoCpus,
        String restartPolicy,
        List<String> entrypoint,
        Health health,
        Stop stop) {

    /** Without a stop signal or grace of its own (Docker's SIGTERM and 10 s). */
    public ContainerSpec(String name, String image, List<String> command, Map<String, String> env,
            Map<String, String> labels, String network, List<String> networkAliases, List<PortMapping> ports,
            List<MountSpec> mounts, Long memoryBytes, Long nanoCpus, String restartPolicy, List<String> entrypoint,
            Health health) {
        this(name, image, command, env, labels, network, networkAliases, ports, mounts, memoryBytes, nanoCpus,
                restartPolicy, entrypoint, health, null);
    }

    /** Without an entrypoint override or a health check. */
    public ContainerSpec(String name, String image, List<String> command, Map<String, String> env,
            Map<String, String> labels, String network, List<String> networkAliases, List<PortMapping> ports,
            List<MountSpec> mounts, Long memoryBytes, Long nanoCpus, String restartPolicy) {
        this(name, image, command, env, labels, network, networkAliases, ports, mounts, memoryBytes, nanoCpus,
                restartPolicy, null, null);
    }

    public ContainerSpec {
        entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        networkAliases = networkAliases == null ? List.of() : List.copyOf(networkAliases);
        ports = ports == null ? List.of() : List.copyOf(ports);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
    }

    public static ContainerSpec of(String name, String image) {
        return new ContainerSpec(name, image, null, null, null, null, null, null, null, null, null, null);
    }

    public ContainerSpec withLabels(Map<String, String> newLabels) {
        return new ContainerSpec(name, image, command, env, newLabels, network, networkAliases, ports, mounts,
                memoryBytes, nanoCpus, restartPolicy, entrypoint, health, stop);
    }

    public ContainerSpec withNetwork(String newNetwork, List<String> aliases) {
        return new ContainerSpec(name, image, command, env, labels, newNetwork, aliases, ports, mounts,
                memoryBytes, nanoCpus, restartPolicy, entrypoint, health, stop);
    }

    public ContainerSpec withPorts(List<PortMapping> newPorts) {
        return new ContainerSpec(name, image, command, env, labels, network, networkAliases, newPorts, mounts,
                memoryBytes, nanoCpus, restartPolicy, entrypoint, health, stop);
    }

    public ContainerSpec withEnv(Map<String, String> newEnv) {
        return new ContainerSpec(name, image, command, newEnv, labels, network, networkAliases, ports, mounts,
                memoryBytes, nanoCpus, restartPolicy, entrypoint, health, stop);
    }

    public ContainerSpec withCommand(List<String> newCommand) {
        return new ContainerSpec(name, image, newCommand, env, labels, network, networkAliases, ports, mounts,
                memoryBytes, nanoCpus, restartPolicy, entrypoint, health, stop);
    }

    public ContainerSpec withMounts(List<MountSpec> newMounts) {
        return new ContainerSpec(name, image, command, env, labels, network, networkAliases, ports, newMounts,
                memoryBytes, nanoCpus, restartPolicy, entrypoint, health, stop);
    }

    @Override
    public String toString() {
        return "ContainerSpec[name=" + name + ", image=" + image + ", env names=" + env.keySet() + ", labels=" + labels
                + ", network=" + network + ", ports=" + ports + ", mounts=" + mounts + "]";
    }

    /**
     * Docker's HEALTHCHECK: {@code test} as the Engine API takes it ({@code CMD ...} or {@code CMD-SHELL ...}),
     * durations as Docker counts them.
     */
    public record Health(List<String> test, java.time.Duration interval, java.time.Duration timeout, int retries,
            java.time.Duration startPeriod) {
        public Health {
            test = List.copyOf(test);
        }
    }

    /**
     * How Docker stops the container ({@code docker stop}, a daemon shutdown): the signal the engine shuts down
     * cleanly on, and how long it may take before it is killed.
     */
    public record Stop(String signal, java.time.Duration grace) {
    }

    /** A container port, optionally published on the host ({@code hostPort} null: not published). */
    public record PortMapping(int containerPort, String protocol, String hostIp, Integer hostPort) {
    }

    /** A named volume ({@code volume} true) or a host path mounted at {@code target}. */
    public record MountSpec(String source, String target, boolean volume, boolean readOnly) {
    }
}
