package dev.berth.controller.application;

import dev.berth.controller.docker.ContainerSpec;
import java.time.Duration;
import java.util.List;

/**
 * What should run for an Application: one container template per replica (without the per-rollout labels, see
 * {@link RolloutPlan#forRollout}), the hash of the effective configuration they share, and how to roll them out.
 *
 * @param configHash hash of everything that goes into a container (env values included); equal hashes mean
 *     containers need not be replaced. Replicas and rollout settings are not part of it.
 * @param strategy the effective strategy: {@link Strategy#STOP_FIRST} for Recreate and whenever a host port is
 *     published (two containers cannot hold one host port)
 * @param dockerHealthCheck true when containers carry a Docker health check: "healthy" is Docker's health status;
 *     otherwise a container counts as healthy once it has been running for {@code startPeriod}
 * @param drain how long a container taken out of DNS keeps running for the requests it has, before its stop
 *     signal (spec.rollout.drainSeconds)
 * @param network the Server's Berth network the containers join
 * @param aliases the Application's DNS aliases on it: what a serving container carries
 */
public record DesiredState(
        String configHash,
        String image,
        List<ContainerSpec> containers,
        Strategy strategy,
        boolean publishesHostPorts,
        Duration healthTimeout,
        Duration startPeriod,
        boolean dockerHealthCheck,
        List<VolumeToCreate> volumes,
        Duration drain,
        String network,
        List<String> aliases) {

    public DesiredState {
        containers = List.copyOf(containers);
        volumes = List.copyOf(volumes);
        aliases = List.copyOf(aliases);
    }

    public enum Strategy {
        /** New containers start beside the old; the old are removed once the new are healthy. */
        ROLLING,
        /** The old containers are stopped (kept) first; removed once the new are healthy, started again if not. */
        STOP_FIRST
    }

    /** A named volume the containers mount; {@code deleteOnRemove}: removed with the Application. */
    public record VolumeToCreate(String name, boolean deleteOnRemove) {
    }

    /** The alias that tells whether a container serves (every serving container carries all of {@code aliases}). */
    public String servingAlias() {
        return aliases.isEmpty() ? null : aliases.get(0);
    }

    public List<String> containerNames() {
        return containers.stream().map(ContainerSpec::name).toList();
    }
}
