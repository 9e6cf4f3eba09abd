package dev.berth.controller.bench;

import static dev.berth.controller.bench.DockerCli.percentile;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.SshDockerHost;
import dev.berth.controller.ssh.HostKeyPolicy;
import dev.berth.controller.ssh.SshConnectionPool;
import dev.berth.controller.ssh.SshHostConnection;
import dev.berth.controller.ssh.SshKey;
import dev.berth.controller.ssh.SshSettings;
import dev.berth.controller.ssh.SshTarget;
import dev.berth.controller.testbed.TestBed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The same Docker operations against one test-bed host, three ways in one run, interleaved so that drift on a
 * shared machine hits all of them alike:
 * <ol>
 *   <li><b>berth</b>: Berth's {@link DockerHost} through its pooled SSH connection (direct-streamlocal channels);</li>
 *   <li><b>local</b>: docker-java (same httpclient5 stack) on the host's dockerd socket on this machine: the floor;</li>
 *   <li><b>cli</b>: the Docker CLI with {@code DOCKER_HOST=ssh://…}, a new SSH connection per command (what
 *       Coolify- and Kamal-style tools do), and <b>cli-mux</b>: the same with OpenSSH connection sharing
 *       (ControlMaster), its best case.</li>
 *   <li>Optionally two more ways that bound what any remote transport can do on the machine at hand, both docker-java
 *       (same stack as <b>local</b>): <b>relay</b>, over plain TCP to a relay process on the host that copies bytes to
 *       dockerd's socket (no SSH, no encryption: one network hop and one process hop each way, the least any remote
 *       path pays), and <b>ssh-fwd</b>, through a Unix socket forwarded to dockerd's by OpenSSH's own client
 *       ({@code ssh -L}: the same SSH transport as Berth's, in C).</li>
 * </ol>
 * Run by {@code scripts/bench-docker-ssh.sh}, which starts a dedicated sshd on the host and gives the CLI an ssh
 * wrapper with a pinned known_hosts. Prints Markdown tables (median, p95, max per operation; ratios).
 *
 * <p>Arguments: {@code host port fingerprint sshWrapperDir sshMuxWrapperDir iterations inspects cliInspects
 * [inspectWarmUp [relayDockerHost forwardDockerHost]]} (the warm-up defaults to {@code inspects}; the last two are
 * docker-java host URLs, e.g. {@code tcp://10.0.0.2:2399} and {@code unix:///tmp/fwd.sock}, or {@code -} for none).
 */
public final class DockerOverSshBenchmark {

    private static final String[] OPS = {"create", "start", "inspect", "stop", "remove"};

    private final TestBed.Host host;
    private final String image;
    private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();

    private DockerOverSshBenchmark(TestBed.Host host, String image) {
        this.host = host;
        this.image = image;
    }

    public static void main(String[] args) throws Exception {
        int hostIndex = Integer.parseInt(args[0]);
        int port = Integer.parseInt(args[1]);
        String fingerprint = args[2];
        String cliPath = args[3];
        String muxPath = args[4];
        int iterations = Integer.parseInt(args[5]);
        int inspects = Integer.parseInt(args[6]);
        int cliInspects = Integer.parseInt(args[7]);
        int inspectWarmUp = args.length > 8 ? Integer.parseInt(args[8]) : inspects;
        String relay = args.length > 9 && !args[9].equals("-") ? args[9] : null;
        String forward = args.length > 10 && !args[10].equals("-") ? args[10] : null;
        TestBed bed = TestBed.get();
        TestBed.Host host = bed.host(hostIndex);
        new DockerOverSshBenchmark(host, bed.appImage())
                .run(port, fingerprint, cliPath, muxPath, iterations, inspects, cliInspects, inspectWarmUp, relay, forward);
        System.exit(0);
    }

    private void run(int port, String fingerprint, String cliPath, String muxPath, int iterations, int inspects,
            int cliInspects, int inspectWarmUp, String relay, String forward) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SshConnectionPool pool = new SshConnectionPool(registry, SshSettings.defaults())) {
            SshKey key = SshKey.load(host.privateKey(), null);
            SshHostConnection ssh = pool.connection(new SshTarget("bench/h" + host.index(), host.address(), port,
                    host.user(), key, HostKeyPolicy.pinned(fingerprint), 8));
            DockerHost berth = SshDockerHost.on(ssh, host.remoteDockerSocket(), registry);
            DockerClient local = dockerJava(host.localDockerHost());
            List<DockerClient> bounds = new ArrayList<>();
            DockerCli cli = new DockerCli("ssh://" + host.user() + "@" + host.address() + ":" + port, cliPath);
            DockerCli mux = new DockerCli("ssh://" + host.user() + "@" + host.address() + ":" + port, muxPath);

            // The fast ways first (they alternate in the inspect loop), the CLIs last.
            List<Runner> runners = new ArrayList<>(List.of(new BerthRunner(berth), new LocalRunner("local", local)));
            if (relay != null) {
                bounds.add(dockerJava(relay));
                runners.add(new LocalRunner("relay", bounds.get(bounds.size() - 1)));
            }
            if (forward != null) {
                bounds.add(dockerJava(forward));
                runners.add(new LocalRunner("ssh-fwd", bounds.get(bounds.size() - 1)));
            }
            int fast = runners.size();
            runners.add(new CliRunner("cli", cli));
            runners.add(new CliRunner("cli-mux", mux));
            System.err.printf("warm-up (3 sequences each)...%n");
            for (int i = 0; i < 3; i++) {
                for (Runner r : runners) {
                    sequence(r, "warm" + i, false);
                }
            }
            System.err.printf("%d sequences each, interleaved...%n", iterations);
            for (int i = 0; i < iterations; i++) {
                for (Runner r : runners) {
                    sequence(r, Integer.toString(i), true);
                }
                if ((i + 1) % 5 == 0) {
                    System.err.printf("  %d/%d%n", i + 1, iterations);
                }
            }

            // One running container; inspected over and over, alternating between the ways.
            String target = "bench-inspect-" + ProcessHandle.current().pid();
            String id = berth.createContainer(ContainerSpec.of(target, image));
            berth.startContainer(id);
            try {
                // Warm-up as long as the timed loop: until the JIT has compiled both paths, early calls are slow
                // for reasons that have nothing to do with the transport and would make up the tail.
                System.err.printf("inspect loop warm-up: %d each...%n", inspectWarmUp);
                for (int i = 0; i < inspectWarmUp; i++) {
                    for (Runner r : runners.subList(0, fast)) {
                        r.inspect(id);
                    }
                }
                System.err.printf("inspect loop: %d each, %d ways alternating...%n", inspects, fast);
                for (int i = 0; i < inspects; i++) {
                    for (Runner r : runners.subList(0, fast)) {
                        long t = System.nanoTime();
                        r.inspect(id);
                        record(r.name(), "inspect loop", t);
                    }
                }
                // The CLIs after, not in between: each CLI call leaves ssh and sshd processes exiting on the same
                // cores, which would land on the next berth/local calls.
                System.err.printf("inspect loop, CLIs: %d each...%n", cliInspects);
                for (int i = 0; i < cliInspects; i++) {
                    for (Runner r : runners.subList(fast, runners.size())) {
                        long t = System.nanoTime();
                        r.inspect(id);
                        record(r.name(), "inspect loop", t);
                    }
                }
            } finally {
                berth.stopContainer(id, Duration.ZERO);
                berth.removeContainer(id, true);
            }
            // Connection reuse: one SSH connection for everything, and far fewer channels than HTTP requests
            // (an HTTP connection is a channel, kept alive between requests while nobody waits for a slot).
            long requests = 0;
            for (Map<String, List<Double>> byWay : samples.values()) {
                requests += byWay.getOrDefault("berth", List.of()).size();
            }
            System.out.printf("Berth: %.0f SSH connection(s) opened (generation %d); %d streamlocal channels opened for"
                    + " about %d timed Docker calls (plus warm-up)%n%n",
                    registry.find("berth.ssh.connections.opened").counters().stream().mapToDouble(c -> c.count()).sum(),
                    ssh.generation(), registry.find("berth.ssh.operation").tag("kind", "channel-open").timer().count(),
                    requests);
            report();
            berth.close();
            local.close();
            for (DockerClient b : bounds) {
                b.close();
            }
        }
    }

    private static DockerClient dockerJava(String dockerHost) {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost).build();
        return DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).maxConnections(8).build());
    }

    private void sequence(Runner r, String suffix, boolean keep) throws Exception {
        String name = "bench-" + r.name() + "-" + suffix + "-" + ProcessHandle.current().pid();
        long t = System.nanoTime();
        String id = r.create(name);
        t = keep ? record(r.name(), "create", t) : System.nanoTime();
        r.start(id);
        t = keep ? record(r.name(), "start", t) : System.nanoTime();
        r.inspect(id);
        t = keep ? record(r.name(), "inspect", t) : System.nanoTime();
        r.stop(id);
        t = keep ? record(r.name(), "stop", t) : System.nanoTime();
        r.remove(id);
        if (keep) {
            record(r.name(), "remove", t);
        }
    }

    /** Records the time since {@code start} in ms; returns now, the next operation's start. */
    private long record(String way, String op, long start) {
        long now = System.nanoTime();
        samples.computeIfAbsent(op, o -> new LinkedHashMap<>()).computeIfAbsent(way, w -> new ArrayList<>())
                .add((now - start) / 1e6);
        return System.nanoTime();
    }

    private void report() {
        List<String> ways = List.of("berth", "local", "relay", "ssh-fwd", "cli", "cli-mux");
        System.out.println("| operation | way | n | median ms | p95 ms | p99 ms | max ms | p95/median | > 20 ms |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        List<String> ops = new ArrayList<>(Arrays.asList(OPS));
        ops.add("inspect loop");
        for (String op : ops) {
            for (String way : ways) {
                List<Double> s = samples.getOrDefault(op, Map.of()).get(way);
                if (s == null) {
                    continue;
                }
                double med = percentile(s, 50);
                double p95 = percentile(s, 95);
                System.out.println(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d |",
                        op, way, s.size(), med, p95, percentile(s, 99),
                        s.stream().mapToDouble(Double::doubleValue).max().orElse(0), p95 / med,
                        s.stream().filter(v -> v > 20).count()));
            }
        }
        System.out.println();
        System.out.println("| operation | berth / local (median) | berth / local (p95) | relay / local (median) | ssh-fwd / local (median) | cli / berth (median) | cli-mux / berth (median) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (String op : ops) {
            Map<String, List<Double>> byWay = samples.get(op);
            double berth = percentile(byWay.get("berth"), 50);
            double local = percentile(byWay.get("local"), 50);
            System.out.println(String.format(Locale.ROOT, "| %s | %.2f× | %.2f× | %s | %s | %.0f× | %.0f× |", op,
                    berth / local,
                    percentile(byWay.get("berth"), 95) / percentile(byWay.get("local"), 95),
                    ratio(byWay.get("relay"), local), ratio(byWay.get("ssh-fwd"), local),
                    percentile(byWay.get("cli"), 50) / berth, percentile(byWay.get("cli-mux"), 50) / berth));
        }
    }

    private static String ratio(List<Double> samples, double base) {
        return samples == null ? "–" : String.format(Locale.ROOT, "%.2f×", percentile(samples, 50) / base);
    }

    private interface Runner {
        String name();

        String create(String name) throws Exception;

        void start(String id) throws Exception;

        void inspect(String id) throws Exception;

        void stop(String id) throws Exception;

        void remove(String id) throws Exception;
    }

    private final class BerthRunner implements Runner {
        private final DockerHost docker;

        BerthRunner(DockerHost docker) {
            this.docker = docker;
        }

        public String name() {
            return "berth";
        }

        public String create(String name) {
            return docker.createContainer(ContainerSpec.of(name, image));
        }

        public void start(String id) {
            docker.startContainer(id);
        }

        public void inspect(String id) {
            docker.inspectContainer(id).orElseThrow();
        }

        public void stop(String id) {
            docker.stopContainer(id, Duration.ZERO);
        }

        public void remove(String id) {
            docker.removeContainer(id, false);
        }
    }

    /** docker-java calls as SshDockerHost makes them, on the local socket (or a bound's relay or forward). */
    private final class LocalRunner implements Runner {
        private final String name;
        private final DockerClient docker;

        LocalRunner(String name, DockerClient docker) {
            this.name = name;
            this.docker = docker;
        }

        public String name() {
            return name;
        }

        public String create(String name) {
            return docker.createContainerCmd(image).withName(name).withLabels(Map.of()).withEnv(List.of())
                    .withHostConfig(com.github.dockerjava.api.model.HostConfig.newHostConfig()).exec().getId();
        }

        public void start(String id) {
            docker.startContainerCmd(id).exec();
        }

        public void inspect(String id) {
            docker.inspectContainerCmd(id).exec();
        }

        public void stop(String id) {
            try {
                docker.stopContainerCmd(id).withTimeout(0).exec();
            } catch (NotModifiedException stopped) {
                // as SshDockerHost
            }
        }

        public void remove(String id) {
            docker.removeContainerCmd(id).withForce(false).withRemoveVolumes(false).exec();
        }
    }

    private final class CliRunner implements Runner {
        private final String name;
        private final DockerCli cli;

        CliRunner(String name, DockerCli cli) {
            this.name = name;
            this.cli = cli;
        }

        public String name() {
            return name;
        }

        public String create(String container) throws Exception {
            return cli.run("create", "--name", container, image);
        }

        public void start(String id) throws Exception {
            cli.run("start", id);
        }

        public void inspect(String id) throws Exception {
            cli.run("inspect", id);
        }

        public void stop(String id) throws Exception {
            cli.run("stop", "-t", "0", id);
        }

        public void remove(String id) throws Exception {
            cli.run("rm", id);
        }
    }
}
