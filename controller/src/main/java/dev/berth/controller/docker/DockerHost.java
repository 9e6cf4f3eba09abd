package dev.berth.controller.docker;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Docker engine on a Server, in Berth's own words. The reconcilers use only this; {@link SshDockerHost} is the one
 * place that speaks the Docker API (through the host's SSH connection).
 *
 * <p>Failures are {@link DockerHostException}s whose kind says whether the host could not be reached, the object
 * was missing, or Docker refused the request. Output (exec, logs, pull progress) is streamed as it arrives, never
 * collected in memory.
 */
public interface DockerHost extends AutoCloseable {

    /** The host id (as in the SSH pool). */
    String id();

    /** Succeeds when the engine answers. */
    void ping();

    DockerVersion version();

    DockerInfo info();

    /** Creates the network if no network of exactly this name exists; true if it was created. */
    boolean ensureNetwork(String name, Map<String, String> labels);

    boolean networkExists(String name);

    /** Removes the network; false if there was none. */
    boolean removeNetwork(String name);

    /**
     * Takes a container off a network (its DNS aliases there go at once); false if it was not on it or is gone.
     * Used to drain a container before removing it, so that no client is sent to a container being torn down.
     */
    boolean disconnectFromNetwork(String idOrName, String network);

    /**
     * Reconnects the container to {@code network} with exactly these DNS aliases (empty: none but its own name), so
     * that clients resolving an alias are sent to it, or no longer are. Where the network's subnet was set at its
     * creation (as on the networks Berth creates), the container keeps its address and MAC: connections in flight, in
     * either direction, carry on after the moment it is off the network (TCP retransmits). Elsewhere Docker gives it a
     * new address and such connections break. Returns true when the address was kept.
     */
    boolean setNetworkAliases(String idOrName, String network, List<String> aliases);

    /** Containers (running or not) carrying all the given labels. */
    List<ContainerSummary> findContainers(Map<String, String> labels);

    /** Creates (does not start) a container; returns its id. */
    String createContainer(ContainerSpec spec);

    void startContainer(String idOrName);

    /** Stops the container, killing it after {@code grace}; a container already stopped is fine. */
    void stopContainer(String idOrName, Duration grace);

    /** Removes the container; false if there was none. */
    boolean removeContainer(String idOrName, boolean force);

    Optional<ContainerState> inspectContainer(String idOrName);

    /** Runs a command in a running container, streaming its output; returns its exit code. */
    default long exec(String containerIdOrName, List<String> command, OutputStream stdout, OutputStream stderr,
                      Duration timeout) {
        return exec(containerIdOrName, command, List.of(), null, stdout, stderr, timeout);
    }

    /**
     * Runs a command in a running container with {@code env} ({@code NAME=value} entries: Docker's exec API takes
     * them in the request body, so a password given here is in no command line on the host) and, when {@code stdin}
     * is not null, its input streamed from {@code stdin} (flow-controlled, nothing buffered beyond the channel's
     * window) and ended (EOF) once {@code stdin} ends. When reading {@code stdin} fails, that failure is thrown and the
     * exec's connection closed without a clean end of input; Docker then closes the command's input all the same, so
     * a caller that must not let the command see an end of input ends the command first (inside the failing read).
     * Returns the exit code; a command still running when {@code timeout} passes is left running (Docker has no way
     * to end an exec): the caller ends it.
     */
    long exec(String containerIdOrName, List<String> command, List<String> env, InputStream stdin,
              OutputStream stdout, OutputStream stderr, Duration timeout);

    /** Streams the container's logs (stdout and stderr), the last {@code tail} lines, optionally following. */
    void logs(String containerIdOrName, int tail, boolean follow, OutputStream stdout, OutputStream stderr,
              Duration timeout);

    boolean imageExists(String image);

    /** The image's id and repository digests; empty when the host does not have it. */
    Optional<ImageInfo> inspectImage(String image);

    /** Pulls an image, reporting progress lines as they come; {@code registryAuth} may be null. */
    void pullImage(String image, RegistryAuth registryAuth, PullProgress progress, Duration timeout);

    /** Creates the named volume if missing; true if it was created. */
    boolean ensureVolume(String name, Map<String, String> labels);

    boolean volumeExists(String name);

    /**
     * Creates the named volume, for a caller that has just seen it missing (no second look: Docker answers a create of
     * an existing name with that volume, unchanged).
     */
    void createVolume(String name, Map<String, String> labels);

    /** The volume's labels; empty when there is no such volume. */
    Optional<Map<String, String>> volumeLabels(String name);

    /** Removes the volume; false if there was none. */
    boolean removeVolume(String name);

    /** Releases the HTTP pool (the SSH connection belongs to the pool and stays). */
    @Override
    void close();

    /** Receives image pull progress, one event at a time. */
    @FunctionalInterface
    interface PullProgress {
        void onProgress(String layerId, String status, String progress);
    }

    /** Credentials for a private registry; toString never shows the password. */
    record RegistryAuth(String serverAddress, String username, String password) {
        @Override
        public String toString() {
            return "RegistryAuth[" + serverAddress + ", " + username + ", password hidden]";
        }
    }

    /** A local image: its id ({@code sha256:...}) and the {@code repo@sha256:...} digests it was pulled by. */
    record ImageInfo(String id, List<String> repoDigests) {
    }

    record DockerVersion(String version, String apiVersion, String os, String arch, String kernelVersion) {
    }

    record DockerInfo(String name, String operatingSystem, String osType, String architecture, int cpus,
                      long memoryBytes, String serverVersion, int containers) {
    }

    record ContainerSummary(String id, String name, String image, String state, String status,
                            Map<String, String> labels) {
    }

    record ContainerState(String id, String name, String image, boolean running, String status, Long exitCode,
                          String health, String startedAt, Map<String, String> labels,
                          Map<String, String> networkAddresses, Map<String, List<String>> networkAliases) {
    }
}
