package dev.berth.controller.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.PullResponseItem;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import dev.berth.controller.ssh.SensitiveLoggers;
import dev.berth.controller.ssh.SshChannel;
import dev.berth.controller.ssh.SshFailure;
import dev.berth.controller.ssh.SshHostConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.concurrent.ConcurrentHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link DockerHost} on docker-java, through the host's pooled SSH connection. */
public final class SshDockerHost implements DockerHost {

    /** The default idle-read limit of one Docker API response (a followed log stream may be quiet for a while). */
    public static final Duration DEFAULT_IDLE_READ_TIMEOUT = Duration.ofMinutes(5);
    /**
     * The default limit of a call's wait for Docker's answer (not a stream's: see {@link ResponseLimits}): a dockerd
     * that hangs fails the call, and the Server's check says so, within this.
     */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(SshDockerHost.class);
    /** One lock per host and network name: see {@link #ensureNetwork}. */
    private static final Map<String, Object> NETWORK_LOCKS = new ConcurrentHashMap<>();
    /** Threads that feed an exec's stdin (one per exec with input, while it runs). */
    private static final ExecutorService INPUT_FEEDERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "berth-docker-exec-input");
        t.setDaemon(true);
        return t;
    });
    private static final ScheduledExecutorService WATCHDOGS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-docker-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final SshHostConnection ssh;
    private final String socketPath;
    private final SshDockerHttpClient http;
    private final DockerClient docker;
    private final MeterRegistry registry;

    private SshDockerHost(SshHostConnection ssh, String socketPath, MeterRegistry registry, Duration callTimeout,
                          Duration idleReadTimeout) {
        SensitiveLoggers.silence();
        this.ssh = ssh;
        this.socketPath = socketPath;
        this.registry = registry;
        this.http = new SshDockerHttpClient(ssh, socketPath, callTimeout, idleReadTimeout, WATCHDOGS);
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost("unix://" + socketPath)
                .withDockerTlsVerify(false)
                .build();
        this.docker = DockerClientImpl.getInstance(config, http);
    }

    /**
     * A Docker host reached through {@code ssh} at the Unix socket {@code socketPath} on the host
     * (usually {@code /var/run/docker.sock}). Nothing is opened until the first call.
     */
    public static SshDockerHost on(SshHostConnection ssh, String socketPath, MeterRegistry registry) {
        return new SshDockerHost(ssh, socketPath, registry, DEFAULT_CALL_TIMEOUT, DEFAULT_IDLE_READ_TIMEOUT);
    }

    /** With other limits: {@code callTimeout} for calls, {@code idleReadTimeout} for silent streams. */
    public static SshDockerHost on(SshHostConnection ssh, String socketPath, MeterRegistry registry,
                                   Duration callTimeout, Duration idleReadTimeout) {
        return new SshDockerHost(ssh, socketPath, registry, callTimeout, idleReadTimeout);
    }

    @Override
    public String id() {
        return ssh.target().id();
    }

    @Override
    public void ping() {
        call("ping", () -> docker.pingCmd().exec());
    }

    @Override
    public DockerVersion version() {
        Version v = call("version", () -> docker.versionCmd().exec());
        return new DockerVersion(v.getVersion(), v.getApiVersion(), v.getOperatingSystem(), v.getArch(),
                v.getKernelVersion());
    }

    @Override
    public DockerInfo info() {
        Info i = call("info", () -> docker.infoCmd().exec());
        return new DockerInfo(i.getName(), i.getOperatingSystem(), i.getOsType(), i.getArchitecture(),
                i.getNCPU() == null ? 0 : i.getNCPU(), i.getMemTotal() == null ? 0 : i.getMemTotal(),
                i.getServerVersion(), i.getContainers() == null ? 0 : i.getContainers());
    }

    @Override
    public boolean ensureNetwork(String name, Map<String, String> labels) {
        // Docker does not refuse a second network of the same name when two creates race (the Server's check and
        // an Application's rollout, say), and then refuses to attach containers to the name as "ambiguous". So
        // creates of one name on one host are serialised here, and duplicates found (an older race, a person)
        // are cleaned up.
        synchronized (NETWORK_LOCKS.computeIfAbsent(id() + "\0" + name, k -> new Object())) {
            List<Network> same = networksNamed(name);
            if (same.size() > 1) {
                removeDuplicateNetworks(name, same);
            }
            if (!same.isEmpty()) {
                return false;
            }
            try {
                createWithFixedSubnet(name, labels == null ? Map.of() : labels);
                return true;
            } catch (DockerHostException e) {
                // Lost a race with someone else creating the same network: fine, it exists now.
                if (e.kind() == DockerHostException.Kind.Conflict && networkExists(name)) {
                    return false;
                }
                throw e;
            }
        }
    }

    /**
     * Creates the network with a subnet of its own configuration: Docker picks a free one, and the network is made
     * again with it written down before anything uses it. Only such a network lets a container be reconnected with
     * its address ({@link #setNetworkAliases}), which is how a rollout moves traffic without cutting a request.
     */
    private void createWithFixedSubnet(String name, Map<String, String> labels) {
        String probe = call("create network " + name, () -> docker.createNetworkCmd()
                .withName(name).withDriver("bridge").withCheckDuplicate(true).withLabels(labels).exec().getId());
        Network created = call("inspect network " + name, () -> docker.inspectNetworkCmd().withNetworkId(probe).exec());
        List<Network.Ipam.Config> configs = created.getIpam() == null || created.getIpam().getConfig() == null
                ? List.of() : created.getIpam().getConfig();
        Network.Ipam.Config picked = configs.stream().filter(c -> c.getSubnet() != null && !c.getSubnet().contains(":"))
                .findFirst().orElse(null);
        if (picked == null) {
            log.warn("{}: Docker gave network {} no IPv4 subnet; rollouts on it reconnect containers with new addresses",
                    id(), name);
            return;
        }
        call("remove network " + name, () -> docker.removeNetworkCmd(probe).exec());
        Network.Ipam.Config fixed = new Network.Ipam.Config().withSubnet(picked.getSubnet());
        if (picked.getGateway() != null) {
            fixed.withGateway(picked.getGateway());
        }
        call("create network " + name, () -> docker.createNetworkCmd()
                .withName(name).withDriver("bridge").withCheckDuplicate(true).withLabels(labels)
                .withIpam(new Network.Ipam().withConfig(fixed)).exec());
    }

    @Override
    public boolean networkExists(String name) {
        return !networksNamed(name).isEmpty();
    }

    private List<Network> networksNamed(String name) {
        // The name filter matches substrings; compare exactly.
        List<Network> networks = call("list networks", () -> docker.listNetworksCmd().withNameFilter(name).exec());
        return networks.stream().filter(n -> name.equals(n.getName())).toList();
    }

    /** Keeps the oldest of several networks named {@code name}; removes the others unless something uses them. */
    private void removeDuplicateNetworks(String name, List<Network> same) {
        List<Network> byAge = same.stream()
                .sorted(Comparator.comparing((Network n) -> n.getCreated() == null ? new Date(0) : n.getCreated())
                        .thenComparing(Network::getId))
                .toList();
        for (Network extra : byAge.subList(1, byAge.size())) {
            try {
                call("remove duplicate network " + name, () -> docker.removeNetworkCmd(extra.getId()).exec());
                log.warn("{}: removed a duplicate Docker network named {} ({})", id(), name, extra.getId());
            } catch (DockerHostException e) {
                log.warn("{}: {} Docker networks are named {}; {} could not be removed ({}): containers attach to the "
                        + "name only once one is left", id(), same.size(), name, extra.getId(), e.kind());
            }
        }
    }

    @Override
    public boolean removeNetwork(String name) {
        try {
            call("remove network " + name, () -> docker.removeNetworkCmd(name).exec());
            return true;
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean disconnectFromNetwork(String idOrName, String network) {
        try {
            call("disconnect " + idOrName + " from network " + network, () -> docker.disconnectFromNetworkCmd()
                    .withContainerId(idOrName).withNetworkId(network).withForce(true).exec());
            return true;
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean setNetworkAliases(String idOrName, String network, List<String> aliases) {
        ContainerState state = inspectContainer(idOrName).orElseThrow(() -> new DockerHostException(
                DockerHostException.Kind.NotFound, "container " + idOrName + " does not exist", null));
        String address = state.networkAddresses().get(network);
        if (state.networkAddresses().containsKey(network)) {
            call("disconnect " + idOrName + " from network " + network, () -> docker.disconnectFromNetworkCmd()
                    .withContainerId(idOrName).withNetworkId(network).exec());
        }
        boolean keep = address != null && !address.isBlank();
        try {
            connect(idOrName, network, aliases, keep ? address : null);
            return keep;
        } catch (DockerHostException e) {
            // A network whose subnet Docker chose on its own (not made by Berth) takes no address from us.
            if (!keep || e.kind() != DockerHostException.Kind.Failed) {
                throw e;
            }
            log.debug("{}: network {} takes no fixed address ({}); {} reconnected with a new one", id(), network,
                    e.getMessage(), idOrName);
            connect(idOrName, network, aliases, null);
            return false;
        }
    }

    private void connect(String idOrName, String network, List<String> aliases, String address) {
        com.github.dockerjava.api.model.ContainerNetwork endpoint = new com.github.dockerjava.api.model.ContainerNetwork()
                .withAliases(aliases);
        if (address != null) {
            endpoint.withIpamConfig(new com.github.dockerjava.api.model.ContainerNetwork.Ipam().withIpv4Address(address));
        }
        call("connect " + idOrName + " to network " + network, () -> docker.connectToNetworkCmd()
                .withContainerId(idOrName).withNetworkId(network).withContainerNetwork(endpoint).exec());
    }

    @Override
    public List<ContainerSummary> findContainers(Map<String, String> labels) {
        List<Container> found = call("list containers", () -> docker.listContainersCmd()
                .withShowAll(true).withLabelFilter(labels).exec());
        List<ContainerSummary> result = new ArrayList<>(found.size());
        for (Container c : found) {
            String name = c.getNames() == null || c.getNames().length == 0 ? null : stripSlash(c.getNames()[0]);
            result.add(new ContainerSummary(c.getId(), name, c.getImage(), c.getState(), c.getStatus(),
                    c.getLabels() == null ? Map.of() : Map.copyOf(c.getLabels())));
        }
        return result;
    }

    @Override
    public String createContainer(ContainerSpec spec) {
        return call("create container " + spec.name(), () -> {
            CreateContainerCmd cmd = docker.createContainerCmd(spec.image())
                    .withLabels(spec.labels())
                    .withEnv(spec.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
            if (spec.name() != null) {
                cmd.withName(spec.name());
            }
            if (!spec.command().isEmpty()) {
                cmd.withCmd(spec.command());
            }
            if (spec.entrypoint() != null) {
                cmd.withEntrypoint(spec.entrypoint());
            }
            if (spec.health() != null) {
                ContainerSpec.Health h = spec.health();
                cmd.withHealthcheck(new com.github.dockerjava.api.model.HealthCheck().withTest(h.test())
                        .withInterval(h.interval().toNanos()).withTimeout(h.timeout().toNanos())
                        .withRetries(h.retries()).withStartPeriod(h.startPeriod().toNanos()));
            }
            if (spec.stop() != null) {
                cmd.withStopSignal(spec.stop().signal()).withStopTimeout((int) spec.stop().grace().toSeconds());
            }
            HostConfig host = HostConfig.newHostConfig();
            if (spec.network() != null) {
                host.withNetworkMode(spec.network());
                if (!spec.networkAliases().isEmpty()) {
                    cmd.withAliases(spec.networkAliases());
                }
            }
            List<ExposedPort> exposed = new ArrayList<>();
            List<PortBinding> bindings = new ArrayList<>();
            for (ContainerSpec.PortMapping p : spec.ports()) {
                ExposedPort port = new ExposedPort(p.containerPort(),
                        InternetProtocol.parse(p.protocol() == null ? "tcp" : p.protocol()));
                exposed.add(port);
                if (p.hostPort() != null) {
                    bindings.add(new PortBinding(p.hostIp() == null
                            ? Ports.Binding.bindPort(p.hostPort())
                            : Ports.Binding.bindIpAndPort(p.hostIp(), p.hostPort()), port));
                }
            }
            if (!exposed.isEmpty()) {
                cmd.withExposedPorts(exposed);
                host.withPortBindings(bindings);
            }
            if (!spec.mounts().isEmpty()) {
                host.withMounts(spec.mounts().stream().map(m -> new Mount()
                        .withType(m.volume() ? MountType.VOLUME : MountType.BIND)
                        .withSource(m.source()).withTarget(m.target()).withReadOnly(m.readOnly())).toList());
            }
            if (spec.memoryBytes() != null) {
                host.withMemory(spec.memoryBytes());
            }
            if (spec.nanoCpus() != null) {
                host.withNanoCPUs(spec.nanoCpus());
            }
            if (spec.restartPolicy() != null) {
                host.withRestartPolicy(RestartPolicy.parse(spec.restartPolicy()));
            }
            return cmd.withHostConfig(host).exec().getId();
        });
    }

    @Override
    public void startContainer(String idOrName) {
        try {
            call("start container " + idOrName, () -> docker.startContainerCmd(idOrName).exec());
        } catch (NotModifiedException alreadyRunning) {
            // started already
        }
    }

    @Override
    public void stopContainer(String idOrName, Duration grace) {
        try {
            call("stop container " + idOrName, () -> docker.stopContainerCmd(idOrName)
                    .withTimeout((int) Math.max(0, grace.toSeconds())).exec());
        } catch (NotModifiedException alreadyStopped) {
            // stopped already
        }
    }

    @Override
    public boolean removeContainer(String idOrName, boolean force) {
        try {
            call("remove container " + idOrName, () -> docker.removeContainerCmd(idOrName)
                    .withForce(force).withRemoveVolumes(false).exec());
            return true;
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<ContainerState> inspectContainer(String idOrName) {
        InspectContainerResponse r;
        try {
            r = call("inspect container " + idOrName, () -> docker.inspectContainerCmd(idOrName).exec());
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return Optional.empty();
            }
            throw e;
        }
        var state = r.getState();
        Map<String, String> addresses = new LinkedHashMap<>();
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        if (r.getNetworkSettings() != null && r.getNetworkSettings().getNetworks() != null) {
            r.getNetworkSettings().getNetworks().forEach((net, cn) -> {
                addresses.put(net, cn.getIpAddress());
                aliases.put(net, cn.getAliases() == null ? List.of() : List.copyOf(cn.getAliases()));
            });
        }
        return Optional.of(new ContainerState(r.getId(), stripSlash(r.getName()),
                r.getConfig() == null ? null : r.getConfig().getImage(),
                state != null && Boolean.TRUE.equals(state.getRunning()),
                state == null ? null : state.getStatus(),
                state == null ? null : state.getExitCodeLong(),
                state == null || state.getHealth() == null ? null : state.getHealth().getStatus(),
                state == null ? null : state.getStartedAt(),
                r.getConfig() == null || r.getConfig().getLabels() == null ? Map.of() : Map.copyOf(r.getConfig().getLabels()),
                addresses, aliases));
    }

    @Override
    public long exec(String container, List<String> command, List<String> env, InputStream stdin,
                     OutputStream stdout, OutputStream stderr, Duration timeout) {
        String what = "exec in " + container;
        String execId = call(what, () -> docker.execCreateCmd(container)
                .withCmd(command.toArray(String[]::new))
                .withEnv(env == null ? List.of() : env)
                .withAttachStdin(stdin != null)
                .withAttachStdout(true).withAttachStderr(true).exec().getId());
        if (stdin == null) {
            await(what, docker.execStartCmd(execId).exec(new FrameCopier(stdout, stderr)), timeout);
            Long code = call(what, () -> docker.inspectExecCmd(execId).exec().getExitCodeLong());
            return code == null ? -1 : code;
        }
        boolean inputTaken = startWithInput(what, execId, stdin, stdout, stderr, timeout);
        Long code = call(what, () -> docker.inspectExecCmd(execId).exec().getExitCodeLong());
        if (!inputTaken && code != null && code == 0) {
            // "Success" from a command that did not read all it was given is not success.
            throw new DockerHostException(DockerHostException.Kind.Failed, what + " on " + id()
                    + ": the command exited 0 without reading all of its input", null);
        }
        return code == null ? -1 : code;
    }

    /**
     * Starts an exec whose stdin is attached: the HTTP connection is upgraded to a raw stream (Docker's "hijack"),
     * which docker-java's transport here does not do, so this speaks it on a channel of its own. Requests go out, the
     * command's multiplexed stdout/stderr frames come back on the same channel; EOF on the channel (sshd shuts down
     * its write side of the socket) ends the command's input. Returns whether the command took all of its input.
     */
    private boolean startWithInput(String what, String execId, InputStream stdin, OutputStream stdout,
                                OutputStream stderr, Duration timeout) {
        SshChannel channel;
        try {
            channel = ssh.openUnixSocket(socketPath);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DockerHostException(DockerHostException.Kind.Failed, what + " on " + id() + ": interrupted", null);
        } catch (SshFailure e) {
            throw translate(what, e);
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> watchdog = WATCHDOGS.schedule(() -> {
            timedOut.set(true);
            channel.close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        AtomicReference<IOException> inputFailure = new AtomicReference<>();
        Future<?> feeder = null;
        try {
            byte[] body = "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.US_ASCII);
            OutputStream toDocker = channel.getOutputStream();
            toDocker.write(("POST /exec/" + execId + "/start HTTP/1.1\r\nHost: docker\r\n"
                    + "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            toDocker.write(body);
            toDocker.flush();
            InputStream fromDocker = channel.getInputStream();
            int status = readUpgradeResponse(what, fromDocker);
            if (status != 101 && status != 200) {
                throw new DockerHostException(status == 404 ? DockerHostException.Kind.NotFound
                        : DockerHostException.Kind.Failed, what + " on " + id() + ": HTTP " + status, null);
            }
            feeder = INPUT_FEEDERS.submit(() -> {
                byte[] buffer = new byte[64 * 1024];
                while (true) {
                    int n;
                    try {
                        n = stdin.read(buffer);
                    } catch (IOException | RuntimeException e) {
                        inputFailure.set(e instanceof IOException io ? io : new IOException(e.toString()));
                        channel.close(); // no EOF sent: the input did not end cleanly
                        return null;
                    }
                    if (n < 0) {
                        break;
                    }
                    toDocker.write(buffer, 0, n);
                }
                // flush() before close(): sshj's close() may send EOF ahead of bytes still waiting for window space.
                toDocker.flush();
                toDocker.close(); // EOF: the command's stdin ends
                return null;
            });
            copyFrames(fromDocker, stdout, stderr);
            if (inputFailure.get() != null) {
                throw inputFailure.get();
            }
            boolean inputTaken;
            try {
                // The command read its EOF before it exited, so the feeder is done or about to return.
                feeder.get(2, TimeUnit.SECONDS);
                inputTaken = true;
            } catch (java.util.concurrent.TimeoutException e) {
                // It exited without reading all of its input. A feeder blocked on window space inside sshj's channel
                // stream would hold up sshj's reader thread and every channel of the connection: interrupt it now.
                feeder.cancel(true);
                inputTaken = false;
            }
            return inputTaken;
        } catch (IOException | ExecutionException e) {
            if (timedOut.get()) {
                throw new DockerHostException(DockerHostException.Kind.Timeout, what + " on " + id()
                        + " did not finish within " + timeout.toSeconds() + " s", null);
            }
            Throwable cause = inputFailure.get() != null ? inputFailure.get()
                    : e instanceof ExecutionException ee ? ee.getCause() : e;
            throw new DockerHostException(DockerHostException.Kind.Failed, what + " on " + id() + ": "
                    + (inputFailure.get() != null ? "reading its input failed: " : "") + cause.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DockerHostException(DockerHostException.Kind.Failed, what + " on " + id() + ": interrupted", null);
        } finally {
            watchdog.cancel(false);
            if (feeder != null) {
                feeder.cancel(true);
            }
            channel.close();
        }
    }

    /** Reads the status line and headers of Docker's answer to an upgrade request; returns the status code. */
    private int readUpgradeResponse(String what, InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > 16 * 1024) {
                throw new IOException("Docker's answer to " + what + " ended early");
            }
            head.append((char) b);
        }
        String[] statusLine = head.substring(0, head.indexOf("\r\n")).split(" ");
        try {
            return Integer.parseInt(statusLine[1]);
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IOException("Docker's answer to " + what + " is not HTTP");
        }
    }

    /** Docker's multiplexed stream: 8-byte headers (stream 1 stdout, 2 stderr; big-endian length), then the payload. */
    private static void copyFrames(InputStream in, OutputStream stdout, OutputStream stderr) throws IOException {
        DataInputStream frames = new DataInputStream(in);
        byte[] header = new byte[8];
        byte[] buffer = new byte[64 * 1024];
        while (true) {
            try {
                frames.readFully(header);
            } catch (EOFException e) {
                return;
            }
            long length = ((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
                    | (header[7] & 0xff);
            OutputStream target = header[0] == 2 ? stderr : stdout;
            while (length > 0) {
                int n = (int) Math.min(buffer.length, length);
                frames.readFully(buffer, 0, n);
                if (target != null) {
                    target.write(buffer, 0, n);
                }
                length -= n;
            }
            if (target != null) {
                target.flush();
            }
        }
    }

    @Override
    public void logs(String container, int tail, boolean follow, OutputStream stdout, OutputStream stderr,
                     Duration timeout) {
        String what = "logs of " + container;
        FrameCopier copier = call(what, () -> docker.logContainerCmd(container)
                .withStdOut(true).withStdErr(true).withTail(tail).withFollowStream(follow)
                .exec(new FrameCopier(stdout, stderr)));
        await(what, copier, timeout);
    }

    @Override
    public boolean imageExists(String image) {
        try {
            call("inspect image " + image, () -> docker.inspectImageCmd(image).exec());
            return true;
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<ImageInfo> inspectImage(String image) {
        try {
            var r = call("inspect image " + image, () -> docker.inspectImageCmd(image).exec());
            return Optional.of(new ImageInfo(r.getId(), r.getRepoDigests() == null ? List.of() : List.copyOf(r.getRepoDigests())));
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void pullImage(String image, RegistryAuth auth, PullProgress progress, Duration timeout) {
        String what = "pull " + image;
        String[] repoAndTag = splitImage(image);
        AtomicReference<String> error = new AtomicReference<>();
        ResultCallback.Adapter<PullResponseItem> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(PullResponseItem item) {
                if (item.getErrorDetail() != null || item.getError() != null) {
                    error.compareAndSet(null, item.getErrorDetail() != null
                            ? item.getErrorDetail().getMessage() : item.getError());
                } else if (progress != null) {
                    progress.onProgress(item.getId(), item.getStatus(), item.getProgress());
                }
            }
        };
        call(what, () -> {
            PullImageCmd cmd = docker.pullImageCmd(repoAndTag[0]).withTag(repoAndTag[1]);
            if (auth != null) {
                cmd.withAuthConfig(new AuthConfig().withRegistryAddress(auth.serverAddress())
                        .withUsername(auth.username()).withPassword(auth.password()));
            }
            return cmd.exec(callback);
        });
        await(what, callback, timeout);
        if (error.get() != null) {
            throw new DockerHostException(DockerHostException.Kind.Failed, what + " on " + id() + " failed: "
                    + error.get(), null);
        }
    }

    @Override
    public boolean ensureVolume(String name, Map<String, String> labels) {
        if (volumeExists(name)) {
            return false;
        }
        createVolume(name, labels);
        return true;
    }

    @Override
    public void createVolume(String name, Map<String, String> labels) {
        call("create volume " + name, () -> docker.createVolumeCmd().withName(name)
                .withLabels(labels == null ? Map.of() : labels).exec());
    }

    @Override
    public boolean volumeExists(String name) {
        try {
            call("inspect volume " + name, () -> docker.inspectVolumeCmd(name).exec());
            return true;
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<Map<String, String>> volumeLabels(String name) {
        try {
            var volume = call("inspect volume " + name, () -> docker.inspectVolumeCmd(name).exec());
            return Optional.of(volume.getLabels() == null ? Map.of() : Map.copyOf(volume.getLabels()));
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public boolean removeVolume(String name) {
        try {
            call("remove volume " + name, () -> docker.removeVolumeCmd(name).exec());
            return true;
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            docker.close();
        } catch (IOException ignored) {
            // closing the HTTP pool only
        }
    }

    // --- helpers --------------------------------------------------------------------------------------------------

    /** {@code repo:tag}, {@code repo@digest} or {@code repo} (latest); the registry host may carry a port. */
    static String[] splitImage(String image) {
        int at = image.indexOf('@');
        if (at >= 0) {
            return new String[] {image.substring(0, at), image.substring(at + 1)};
        }
        int colon = image.lastIndexOf(':');
        int slash = image.lastIndexOf('/');
        if (colon > slash) {
            return new String[] {image.substring(0, colon), image.substring(colon + 1)};
        }
        return new String[] {image, "latest"};
    }

    private static String stripSlash(String name) {
        return name != null && name.startsWith("/") ? name.substring(1) : name;
    }

    private <T> T call(String what, Supplier<T> operation) {
        Timer.Sample sample = Timer.start(registry);
        String outcome = "error";
        try {
            T result = operation.get();
            outcome = "ok";
            return result;
        } catch (NotModifiedException e) {
            outcome = "ok";
            throw e;
        } catch (NotFoundException e) {
            outcome = "not-found";
            throw new DockerHostException(DockerHostException.Kind.NotFound, what + " on " + id() + ": not found", null);
        } catch (ConflictException e) {
            throw new DockerHostException(DockerHostException.Kind.Conflict, what + " on " + id() + ": "
                    + dockerMessage(e), null);
        } catch (DockerException e) {
            throw new DockerHostException(DockerHostException.Kind.Failed, what + " on " + id() + ": "
                    + dockerMessage(e), null);
        } catch (RuntimeException e) {
            throw translate(what, e);
        } finally {
            sample.stop(Timer.builder("berth.docker.operation").description("Docker API calls through SSH")
                    .tag("host", id()).tag("outcome", outcome).register(registry));
        }
    }

    private DockerHostException translate(String what, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DockerHostException d) {
                return d;
            }
            if (t instanceof SshFailure f) {
                if (f.reason() == SshFailure.Reason.ChannelRefused) {
                    return new DockerHostException(DockerHostException.Kind.Unavailable, what + " on " + id()
                            + ": the Docker socket " + socketPath + " could not be opened on the host"
                            + " (is Docker installed and running, and is the path right?)", f);
                }
                return new DockerHostException(f.reason() == SshFailure.Reason.Timeout
                        ? DockerHostException.Kind.Timeout : DockerHostException.Kind.Unavailable,
                        what + " on " + id() + ": " + f.getMessage(), f);
            }
            if (t instanceof SocketTimeoutException) {
                return new DockerHostException(DockerHostException.Kind.Timeout, what + " on " + id()
                        + ": Docker did not answer in time", null);
            }
        }
        return new DockerHostException(DockerHostException.Kind.Failed, what + " on " + id() + " failed: "
                + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), null);
    }

    private static String dockerMessage(DockerException e) {
        String m = e.getMessage();
        // docker-java prefixes "Status 409: {"message":"..."}"; keep it short and readable.
        return m == null ? "HTTP " + e.getHttpStatus() : m.strip();
    }

    private void await(String what, ResultCallback.Adapter<?> callback, Duration timeout) {
        boolean done;
        try {
            done = callback.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(callback);
            throw new DockerHostException(DockerHostException.Kind.Failed, what + " on " + id() + ": interrupted", null);
        } catch (RuntimeException e) {
            throw translate(what, e);
        }
        if (!done) {
            closeQuietly(callback);
            throw new DockerHostException(DockerHostException.Kind.Timeout, what + " on " + id()
                    + " did not finish within " + timeout.toSeconds() + " s", null);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }

    /** Copies multiplexed stdout/stderr frames to their streams as they arrive. */
    private static final class FrameCopier extends ResultCallback.Adapter<Frame> {
        private final OutputStream stdout;
        private final OutputStream stderr;

        FrameCopier(OutputStream stdout, OutputStream stderr) {
            this.stdout = stdout;
            this.stderr = stderr;
        }

        @Override
        public void onNext(Frame frame) {
            OutputStream target = switch (frame.getStreamType()) {
                case STDERR -> stderr;
                default -> stdout;
            };
            if (target == null) {
                return;
            }
            try {
                target.write(frame.getPayload());
                target.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
