package dev.berth.controller.application;

import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory Docker engine that counts the calls made to it, for the deployer's unit tests: containers (created,
 * running, exited), images (with digests), networks and volumes. As Docker 20.10 does, a create checks the image
 * (NotFound without it) and a start checks the network (NotFound without it).
 */
final class FakeDockerHost implements DockerHost {
    /** The calls that change the host. */
    static final Set<String> WRITES = Set.of("createContainer", "startContainer", "stopContainer", "removeContainer",
            "pullImage", "createNetwork", "createVolume", "removeNetwork", "removeVolume", "disconnectFromNetwork");

    private final String id;
    private final Clock clock;
    private final Map<String, Integer> calls = new TreeMap<>();
    final Map<String, ImageInfo> images = new ConcurrentHashMap<>();
    /** What a pull brings, by image reference. */
    final Map<String, ImageInfo> registry = new ConcurrentHashMap<>();
    final Set<String> networks = ConcurrentHashMap.newKeySet();
    final Set<String> volumes = ConcurrentHashMap.newKeySet();
    final Map<String, Box> containers = new ConcurrentHashMap<>();
    private int next;

    static final class Box {
        final String id;
        final ContainerSpec spec;
        String state = "created";
        String startedAt = "0001-01-01T00:00:00Z";

        Box(String id, ContainerSpec spec) {
            this.id = id;
            this.spec = spec;
        }
    }

    FakeDockerHost(String id, Clock clock) {
        this.id = id;
        this.clock = clock;
    }

    synchronized Map<String, Integer> calls() {
        return new TreeMap<>(calls);
    }

    synchronized int calls(String what) {
        return calls.getOrDefault(what, 0);
    }

    synchronized int total() {
        return calls.values().stream().mapToInt(Integer::intValue).sum();
    }

    synchronized int writes() {
        return calls.entrySet().stream().filter(e -> WRITES.contains(e.getKey())).mapToInt(Map.Entry::getValue).sum();
    }

    private synchronized void count(String what) {
        calls.merge(what, 1, Integer::sum);
    }

    private static DockerHostException notFound(String what) {
        return new DockerHostException(DockerHostException.Kind.NotFound, what + ": not found", null);
    }

    private Box box(String idOrName) {
        Box b = containers.get(idOrName);
        if (b != null) {
            return b;
        }
        return containers.values().stream().filter(c -> idOrName.equals(c.spec.name())).findFirst().orElse(null);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void ping() {
        count("ping");
    }

    @Override
    public DockerVersion version() {
        count("version");
        return new DockerVersion("20.10.24", "1.41", "linux", "amd64", "6.1");
    }

    @Override
    public DockerInfo info() {
        count("info");
        return new DockerInfo("fake", "Debian", "linux", "x86_64", 2, 1L << 30, "20.10.24", containers.size());
    }

    @Override
    public boolean ensureNetwork(String name, Map<String, String> labels) {
        count("listNetworks");
        if (networks.contains(name)) {
            return false;
        }
        count("createNetwork");
        networks.add(name);
        return true;
    }

    @Override
    public boolean networkExists(String name) {
        count("listNetworks");
        return networks.contains(name);
    }

    @Override
    public boolean removeNetwork(String name) {
        count("removeNetwork");
        return networks.remove(name);
    }

    @Override
    public boolean disconnectFromNetwork(String idOrName, String network) {
        count("disconnectFromNetwork");
        return box(idOrName) != null;
    }

    @Override
    public List<ContainerSummary> findContainers(Map<String, String> labels) {
        count("findContainers");
        List<ContainerSummary> found = new ArrayList<>();
        for (Box b : containers.values()) {
            if (b.spec.labels().entrySet().containsAll(labels.entrySet())) {
                found.add(new ContainerSummary(b.id, b.spec.name(), b.spec.image(), b.state, b.state,
                        Map.copyOf(b.spec.labels())));
            }
        }
        return found;
    }

    @Override
    public synchronized String createContainer(ContainerSpec spec) {
        count("createContainer");
        if (!images.containsKey(spec.image())) {
            throw notFound("create container " + spec.name() + " (No such image: " + spec.image() + ")");
        }
        if (box(spec.name()) != null) {
            throw new DockerHostException(DockerHostException.Kind.Conflict, "the name " + spec.name() + " is in use", null);
        }
        String cid = String.format("%064x", ++next);
        containers.put(cid, new Box(cid, spec));
        return cid;
    }

    @Override
    public void startContainer(String idOrName) {
        count("startContainer");
        Box b = box(idOrName);
        if (b == null) {
            throw notFound("start container " + idOrName);
        }
        if (b.spec.network() != null && !networks.contains(b.spec.network())) {
            throw notFound("start container " + idOrName + " (network " + b.spec.network() + " not found)");
        }
        if (!"running".equals(b.state)) {
            b.state = "running";
            b.startedAt = clock.instant().toString();
        }
    }

    @Override
    public void stopContainer(String idOrName, Duration grace) {
        count("stopContainer");
        Box b = box(idOrName);
        if (b == null) {
            throw notFound("stop container " + idOrName);
        }
        if ("running".equals(b.state)) {
            b.state = "exited";
        }
    }

    @Override
    public boolean removeContainer(String idOrName, boolean force) {
        count("removeContainer");
        Box b = box(idOrName);
        return b != null && containers.remove(b.id) != null;
    }

    @Override
    public Optional<ContainerState> inspectContainer(String idOrName) {
        count("inspectContainer");
        Box b = box(idOrName);
        if (b == null) {
            return Optional.empty();
        }
        return Optional.of(new ContainerState(b.id, b.spec.name(), b.spec.image(), "running".equals(b.state), b.state,
                "exited".equals(b.state) ? 0L : null, null, b.startedAt, Map.copyOf(b.spec.labels()),
                new LinkedHashMap<>()));
    }

    @Override
    public long exec(String containerIdOrName, List<String> command, OutputStream stdout, OutputStream stderr,
            Duration timeout) {
        throw new UnsupportedOperationException("exec");
    }

    @Override
    public void logs(String containerIdOrName, int tail, boolean follow, OutputStream stdout, OutputStream stderr,
            Duration timeout) {
        count("logs");
    }

    @Override
    public boolean imageExists(String image) {
        count("inspectImage");
        return images.containsKey(image);
    }

    @Override
    public Optional<ImageInfo> inspectImage(String image) {
        count("inspectImage");
        return Optional.ofNullable(images.get(image));
    }

    @Override
    public void pullImage(String image, RegistryAuth registryAuth, PullProgress progress, Duration timeout) {
        count("pullImage");
        ImageInfo pulled = registry.get(image);
        if (pulled == null) {
            throw new DockerHostException(DockerHostException.Kind.Failed, "pull " + image + ": manifest unknown", null);
        }
        images.put(image, pulled);
    }

    @Override
    public boolean ensureVolume(String name, Map<String, String> labels) {
        count("inspectVolume");
        if (volumes.contains(name)) {
            return false;
        }
        count("createVolume");
        volumes.add(name);
        return true;
    }

    @Override
    public boolean volumeExists(String name) {
        count("inspectVolume");
        return volumes.contains(name);
    }

    @Override
    public boolean removeVolume(String name) {
        count("removeVolume");
        return volumes.remove(name);
    }

    @Override
    public void close() {
    }
}
