package dev.berth.controller.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.berth.controller.ssh.HostKeyPolicy;
import dev.berth.controller.ssh.SshConnectionPool;
import dev.berth.controller.ssh.SshFailure;
import dev.berth.controller.ssh.SshHostConnection;
import dev.berth.controller.ssh.SshKey;
import dev.berth.controller.ssh.SshSettings;
import dev.berth.controller.ssh.SshTarget;
import dev.berth.controller.testbed.TestBed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.io.output.CountingOutputStream;
import org.apache.commons.io.output.NullOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Docker API through the SSH connection, against the test bed's real sshd + dockerd hosts. */
class DockerOverSshIT {

    private TestBed bed;
    private SimpleMeterRegistry registry;
    private SshConnectionPool pool;
    private final List<Runnable> cleanups = new ArrayList<>();

    @BeforeEach
    void setUp() {
        bed = TestBed.get();
        registry = new SimpleMeterRegistry();
        pool = new SshConnectionPool(registry, SshSettings.defaults());
    }

    @AfterEach
    void tearDown() {
        for (int i = cleanups.size() - 1; i >= 0; i--) {
            cleanups.get(i).run();
        }
        if (pool != null) {
            pool.close();
        }
    }

    private SshHostConnection ssh(TestBed.Host h, String id, int maxConcurrent) throws Exception {
        return pool.connection(new SshTarget(id, h.address(), h.port(), h.user(), SshKey.load(h.privateKey(), null),
                HostKeyPolicy.pinned(h.hostKeyFingerprint()), maxConcurrent));
    }

    private SshDockerHost docker(SshHostConnection ssh, TestBed.Host h) {
        SshDockerHost d = SshDockerHost.on(ssh, h.remoteDockerSocket(), registry);
        cleanups.add(d::close);
        return d;
    }

    private static DockerClient local(TestBed.Host h) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(h.localDockerHost()).build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(h.localDockerHost())).build());
    }

    @Test
    void smokeEachHostListsItsOwnContainersThroughSsh() throws Exception {
        String run = UUID.randomUUID().toString();
        for (TestBed.Host h : bed.hosts()) {
            SshHostConnection ssh = ssh(h, "it/smoke-" + h.index(), 8);
            SshDockerHost docker = docker(ssh, h);
            docker.ping();
            assertThat(docker.version().apiVersion()).isNotBlank();
            assertThat(docker.imageExists(bed.appImage())).isTrue();

            // A container made through the host's local socket is what the SSH path lists: it is that host's dockerd.
            Map<String, String> labels = Map.of("berth.dev/test", "smoke-" + run + "-" + h.index());
            try (DockerClient local = local(h)) {
                String id = local.createContainerCmd(bed.appImage()).withLabels(labels).exec().getId();
                cleanups.add(() -> local(h).removeContainerCmd(id).withForce(true).exec());
                assertThat(docker.findContainers(labels)).extracting(DockerHost.ContainerSummary::id).containsExactly(id);
            }
            for (TestBed.Host other : bed.hosts()) {
                if (other.index() != h.index()) {
                    Map<String, String> otherLabels = Map.of("berth.dev/test", "smoke-" + run + "-" + other.index());
                    assertThat(docker.findContainers(otherLabels)).isEmpty();
                }
            }
            assertThat(docker.findContainers(Map.of())).isNotEmpty();
            assertThat(registry.find("berth.ssh.connections.opened").tag("host", "it/smoke-" + h.index())
                    .counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void containerLifecycleNetworksVolumesExecAndLogs() throws Exception {
        TestBed.Host h = bed.host(1);
        SshDockerHost docker = docker(ssh(h, "it/lifecycle", 8), h);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String network = "berth-it-" + suffix;
        String volume = "berth-it-" + suffix;
        String name = "berth-it-web-" + suffix;
        cleanups.add(() -> {
            docker.removeContainer(name, true);
            docker.removeVolume(volume);
            docker.removeNetwork(network);
        });

        assertThat(docker.ensureNetwork(network, Map.of("berth.dev/managed", "true"))).isTrue();
        assertThat(docker.ensureNetwork(network, Map.of())).isFalse();
        assertThat(docker.ensureVolume(volume, Map.of("berth.dev/managed", "true"))).isTrue();
        assertThat(docker.volumeExists(volume)).isTrue();

        ContainerSpec spec = ContainerSpec.of(name, bed.appImage())
                .withLabels(Map.of("berth.dev/app", suffix))
                .withNetwork(network, List.of("web"))
                .withEnv(Map.of("GREETING", "hello"))
                .withPorts(List.of(new ContainerSpec.PortMapping(bed.appPort(), "tcp", "127.0.0.1", 18000 + (int) (Math.random() * 1000))))
                .withMounts(List.of(new ContainerSpec.MountSpec(volume, "/data", true, false)));
        String id = docker.createContainer(spec);
        docker.startContainer(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> docker.inspectContainer(id).map(DockerHost.ContainerState::running).orElse(false));
        DockerHost.ContainerState state = docker.inspectContainer(name).orElseThrow();
        assertThat(state.labels()).containsEntry("berth.dev/app", suffix);
        assertThat(state.networkAddresses()).containsKey(network);
        assertThat(docker.findContainers(Map.of("berth.dev/app", suffix))).hasSize(1);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long code = docker.exec(id, List.of("sh", "-c", "cat /www/index.html; echo $GREETING; echo warn >&2; exit 4"),
                out, err, Duration.ofSeconds(20));
        assertThat(code).isEqualTo(4);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("berth-test httpd", "hello");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("warn\n");

        // The app answers inside the host (its port is published on the host's loopback).
        ByteArrayOutputStream page = new ByteArrayOutputStream();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            page.reset();
            assertThat(docker.exec(id, List.of("wget", "-qO-", "http://127.0.0.1:" + bed.appPort() + "/"), page,
                    OutputStream.nullOutputStream(), Duration.ofSeconds(10))).isZero();
        });
        assertThat(page.toString(StandardCharsets.UTF_8)).contains("berth-test httpd");

        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        docker.logs(id, 100, false, logs, logs, Duration.ofSeconds(10));

        docker.stopContainer(id, Duration.ofSeconds(1));
        docker.stopContainer(id, Duration.ofSeconds(1));
        assertThat(docker.inspectContainer(id).orElseThrow().running()).isFalse();
        assertThat(docker.removeContainer(id, false)).isTrue();
        assertThat(docker.removeContainer(id, false)).isFalse();
        assertThat(docker.inspectContainer(id)).isEmpty();
        assertThat(docker.removeVolume(volume)).isTrue();
        assertThat(docker.removeNetwork(network)).isTrue();
        assertThat(docker.networkExists(network)).isFalse();

        assertThatThrownBy(() -> docker.startContainer("berth-it-no-such-" + suffix))
                .isInstanceOfSatisfying(DockerHostException.class, e ->
                        assertThat(e.kind()).isEqualTo(DockerHostException.Kind.NotFound));
        assertThatThrownBy(() -> docker.createContainer(ContainerSpec.of(null, "berth-test/none:" + suffix)))
                .isInstanceOfSatisfying(DockerHostException.class, e ->
                        assertThat(e.kind()).isEqualTo(DockerHostException.Kind.NotFound));
        // No registry is reachable from the test bed: the pull fails, with a message, in time.
        assertThatThrownBy(() -> docker.pullImage("berth-test/none:" + suffix, null, (l, s, p) -> { }, Duration.ofSeconds(60)))
                .isInstanceOf(DockerHostException.class);
    }

    @Test
    void concurrentEnsureNetworkMakesOneNetworkAndDuplicatesAreCleanedUp() throws Exception {
        TestBed.Host h = bed.host(1);
        SshHostConnection ssh = ssh(h, "it/networks", 8);
        // Two DockerHost views of one host, as two reconcilers hold them, racing to create the same network.
        List<SshDockerHost> views = List.of(docker(ssh, h), docker(ssh, h));
        String name = "berth-it-net-" + UUID.randomUUID().toString().substring(0, 8);
        try (DockerClient local = local(h)) {
            cleanups.add(() -> local(h).listNetworksCmd().withNameFilter(name).exec()
                    .forEach(n -> local(h).removeNetworkCmd(n.getId()).exec()));
            ExecutorService pool8 = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> creates = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    SshDockerHost view = views.get(i % 2);
                    creates.add(pool8.submit(() -> view.ensureNetwork(name, Map.of("berth.dev/managed", "true"))));
                }
                int created = 0;
                for (Future<Boolean> f : creates) {
                    created += f.get() ? 1 : 0;
                }
                assertThat(created).as("exactly one caller created it").isEqualTo(1);
            } finally {
                pool8.shutdownNow();
            }
            assertThat(local.listNetworksCmd().withNameFilter(name).exec()).filteredOn(n -> name.equals(n.getName()))
                    .hasSize(1);

            // A duplicate made behind Berth's back (Docker allows it) is removed by the next ensureNetwork.
            local.createNetworkCmd().withName(name).withDriver("bridge").exec();
            assertThat(local.listNetworksCmd().withNameFilter(name).exec()).filteredOn(n -> name.equals(n.getName()))
                    .hasSize(2);
            assertThat(views.get(0).ensureNetwork(name, Map.of())).isFalse();
            assertThat(local.listNetworksCmd().withNameFilter(name).exec()).filteredOn(n -> name.equals(n.getName()))
                    .hasSize(1);
        }
    }

    @Test
    void aWrongDockerSocketPathIsReportedAsDockerUnavailable() throws Exception {
        TestBed.Host h = bed.host(1);
        SshDockerHost docker = SshDockerHost.on(ssh(h, "it/no-socket", 8), "/var/run/no-such-docker.sock", registry);
        cleanups.add(docker::close);
        assertThatThrownBy(docker::ping)
                .isInstanceOfSatisfying(DockerHostException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DockerHostException.Kind.Unavailable);
                    assertThat(e.sshFailure()).get().extracting(SshFailure::reason)
                            .isEqualTo(SshFailure.Reason.ChannelRefused);
                    assertThat(e.getMessage()).contains("/var/run/no-such-docker.sock");
                });
    }

    @Test
    void aResponseSilentForLongerThanTheIdleReadTimeoutFailsInsteadOfHangingAndTheHostStaysUsable() throws Exception {
        TestBed.Host h = bed.host(1);
        SshDockerHost docker = SshDockerHost.on(ssh(h, "it/idle-read", 8), h.remoteDockerSocket(), registry,
                SshDockerHost.DEFAULT_CALL_TIMEOUT, Duration.ofSeconds(1));
        cleanups.add(docker::close);
        String name = "berth-it-quiet-" + UUID.randomUUID().toString().substring(0, 8);
        cleanups.add(() -> docker.removeContainer(name, true));
        // A container that prints nothing: following its logs gets no byte after the response headers.
        String id = docker.createContainer(ContainerSpec.of(name, bed.appImage()).withCommand(List.of("sleep", "600")));
        docker.startContainer(id);

        long started = System.nanoTime();
        assertThatThrownBy(() -> docker.logs(id, 0, true, OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(), Duration.ofSeconds(60)))
                .isInstanceOfSatisfying(DockerHostException.class,
                        e -> assertThat(e.kind()).isEqualTo(DockerHostException.Kind.Timeout));
        // Failed by the 1 s idle-read limit, long before the call's own 60 s.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        // The timed-out channel was closed; the next call gets a fresh one.
        assertThat(docker.inspectContainer(id)).get().extracting(DockerHost.ContainerState::running).isEqualTo(true);
    }

    @Test
    void fiftyConcurrentOperationsShareOneConnectionWithinTheChannelLimit() throws Exception {
        TestBed.Host h = bed.host(1);
        int limit = 4;
        String hostId = "it/concurrent";
        SshHostConnection ssh = ssh(h, hostId, limit);
        SshDockerHost docker = docker(ssh, h);
        docker.ping();

        AtomicInteger sampledMax = new AtomicInteger();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> sampledMax.accumulateAndGet(
                (int) registry.get("berth.ssh.channels.open").tag("host", hostId).gauge().value(), Math::max),
                0, 1, TimeUnit.MILLISECONDS);
        ExecutorService callers = Executors.newFixedThreadPool(50);
        try {
            List<Callable<Object>> ops = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                ops.add(() -> switch (n % 3) {
                    case 0 -> docker.info();
                    case 1 -> docker.findContainers(Map.of());
                    default -> docker.imageExists(bed.appImage());
                });
            }
            // Mix in exec sessions: they share the same slots as the Docker channels.
            for (int i = 0; i < 5; i++) {
                ops.add(() -> ssh.exec("sleep 0.2", OutputStream.nullOutputStream(), OutputStream.nullOutputStream(),
                        Duration.ofSeconds(30)));
            }
            for (Future<Object> f : callers.invokeAll(ops, 120, TimeUnit.SECONDS)) {
                assertThat(f.get()).isNotNull();
            }
        } finally {
            callers.shutdownNow();
            sampler.shutdownNow();
        }
        assertThat(registry.get("berth.ssh.connections.opened").tag("host", hostId).counter().count()).isEqualTo(1.0);
        assertThat(ssh.generation()).isEqualTo(1);
        assertThat(ssh.peakOpenChannels()).isBetween(2, limit);
        assertThat(sampledMax.get()).isLessThanOrEqualTo(limit);
        assertThat(registry.get("berth.docker.operation").tag("host", hostId).timers().stream()
                .mapToLong(t -> t.count()).sum()).isGreaterThanOrEqualTo(51);
    }

    /**
     * A host that re-keys often (OpenSSH's RekeyLimit, here every 32 KiB) keeps the one connection working: Docker calls
     * and a streamed exec all the way through dozens of key exchanges, each of which makes new ciphers and MACs on
     * both sides (ours computed by the JDK).
     */
    @Test
    void theConnectionCarriesOnThroughManyReKeysWithDockerCallsAndStreams() throws Exception {
        int port = 2207;
        TestBed.Host h = bed.host(1);
        String fingerprint = bed.sshdWith(1, port, "RekeyLimit 32K");
        cleanups.add(() -> bed.sshd("stop", 1, port));
        SshHostConnection ssh = pool.connection(new SshTarget("it/rekey", h.address(), port, h.user(),
                SshKey.load(h.privateKey(), null), HostKeyPolicy.pinned(fingerprint), 8));
        SshDockerHost docker = docker(ssh, h);

        for (int i = 0; i < 100; i++) {
            assertThat(docker.info().serverVersion()).isNotBlank();
            assertThat(docker.imageExists(bed.appImage())).isTrue();
        }
        // 1 MB down an exec channel, counted as it streams.
        CountingOutputStream counter = new CountingOutputStream(NullOutputStream.INSTANCE);
        assertThat(ssh.exec("head -c 1000000 /dev/zero", counter, OutputStream.nullOutputStream(),
                Duration.ofSeconds(60)).exitStatus()).isZero();
        assertThat(counter.getByteCount()).isEqualTo(1_000_000L);

        assertThat(ssh.keyExchanges()).as("key exchanges on the connection").isGreaterThan(20);
        assertThat(ssh.generation()).as("never reconnected").isEqualTo(1);
        assertThat(registry.get("berth.ssh.connections.opened").tag("host", "it/rekey").counter().count())
                .isEqualTo(1.0);
        assertThat(ssh.cipherSuite()).isEqualTo("aes128-ctr with hmac-sha2-256-etm@openssh.com");
    }

    /**
     * A dockerd that hangs (stopped with SIGSTOP: its socket still accepts connections, nothing answers) fails a call
     * within the call limit instead of holding the caller for the 5-minute idle limit of streams; a stream that is
     * rightly quiet for longer than the call limit (an exec's output) is not cut; and the host works again once Docker
     * answers.
     */
    @Test
    void aHungDockerdFailsCallsWithinTheCallLimitWhileQuietStreamsRunOn() throws Exception {
        TestBed.Host h = bed.host(1);
        Duration callLimit = Duration.ofSeconds(2);
        SshDockerHost docker = SshDockerHost.on(ssh(h, "it/hung-dockerd", 8), h.remoteDockerSocket(), registry,
                callLimit, SshDockerHost.DEFAULT_IDLE_READ_TIMEOUT);
        cleanups.add(docker::close);
        String name = "berth-it-hung-" + UUID.randomUUID().toString().substring(0, 8);
        cleanups.add(() -> docker.removeContainer(name, true));
        String id = docker.createContainer(ContainerSpec.of(name, bed.appImage()).withCommand(List.of("sleep", "600")));
        docker.startContainer(id);

        // An exec silent for twice the call limit, then printing: a stream, so it is not cut.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long exit = docker.exec(id, List.of("sh", "-c", "sleep 4; echo done"), out, OutputStream.nullOutputStream(),
                Duration.ofSeconds(30));
        assertThat(exit).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("done\n");

        bed.dockerd("freeze", 1);
        try {
            long started = System.nanoTime();
            assertThatThrownBy(() -> docker.inspectContainer(id))
                    .isInstanceOfSatisfying(DockerHostException.class,
                            e -> assertThat(e.kind()).isEqualTo(DockerHostException.Kind.Timeout))
                    .hasMessageContaining("did not answer");
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(took).isGreaterThanOrEqualTo(callLimit).isLessThan(Duration.ofSeconds(10));
        } finally {
            bed.dockerd("thaw", 1);
        }
        assertThat(docker.inspectContainer(id)).get().extracting(DockerHost.ContainerState::running).isEqualTo(true);
    }

    /**
     * An exec with environment variables and input: 6 MiB on stdin reach the command whole and end with EOF, its
     * environment holds the variables (in no command line), stdout and stderr come back apart; a command that exits 0
     * without reading its input is not a success; a failing input is thrown; the connection goes on afterwards.
     */
    @Test
    void execWithEnvironmentAndInput() throws Exception {
        TestBed.Host h = bed.host(1);
        SshDockerHost docker = docker(ssh(h, "it/exec-input", 8), h);
        String name = "berth-it-input-" + UUID.randomUUID().toString().substring(0, 8);
        cleanups.add(() -> docker.removeContainer(name, true));
        String id = docker.createContainer(ContainerSpec.of(name, bed.appImage()).withCommand(List.of("sleep", "600")));
        docker.startContainer(id);

        int size = 6 * 1024 * 1024 + 7;
        byte[] data = new byte[size];
        new java.util.Random(5).nextBytes(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long code = docker.exec(id, List.of("sh", "-c", "echo \"$SECRET\" >&2; wc -c; exit 3"), List.of("SECRET=s3cr3t"),
                new java.io.ByteArrayInputStream(data), out, err, Duration.ofSeconds(60));
        assertThat(code).isEqualTo(3);
        assertThat(out.toString(StandardCharsets.UTF_8).strip()).isEqualTo(Integer.toString(size));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("s3cr3t\n");

        ByteArrayOutputStream digest = new ByteArrayOutputStream();
        assertThat(docker.exec(id, List.of("sha256sum"), List.of(), new java.io.ByteArrayInputStream(data), digest,
                OutputStream.nullOutputStream(), Duration.ofSeconds(60))).isZero();
        assertThat(digest.toString(StandardCharsets.UTF_8)).startsWith(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(data)));

        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len;
            }
        };
        assertThatThrownBy(() -> docker.exec(id, List.of("true"), List.of(), endless, OutputStream.nullOutputStream(),
                OutputStream.nullOutputStream(), Duration.ofSeconds(60)))
                .isInstanceOf(DockerHostException.class).hasMessageContaining("without reading all of its input");

        java.io.InputStream breaks = new java.io.InputStream() {
            private int served;

            @Override
            public int read() throws java.io.IOException {
                throw new java.io.IOException("the source broke");
            }

            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                if (served > 1024 * 1024) {
                    throw new java.io.IOException("the source broke");
                }
                served += len;
                return len;
            }
        };
        assertThatThrownBy(() -> docker.exec(id, List.of("sh", "-c", "cat > /dev/null"), List.of(), breaks,
                OutputStream.nullOutputStream(), OutputStream.nullOutputStream(), Duration.ofSeconds(60)))
                .isInstanceOf(DockerHostException.class).hasMessageContaining("the source broke");

        ByteArrayOutputStream still = new ByteArrayOutputStream();
        assertThat(docker.exec(id, List.of("echo", "still here"), still, OutputStream.nullOutputStream(),
                Duration.ofSeconds(20))).isZero();
        assertThat(still.toString(StandardCharsets.UTF_8)).isEqualTo("still here\n");
    }
}
