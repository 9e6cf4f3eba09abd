package dev.berth.controller.bench;

import static dev.berth.controller.bench.DockerCli.percentile;

import dev.berth.controller.docker.SshDockerHost;
import dev.berth.controller.ssh.HostKeyPolicy;
import dev.berth.controller.ssh.SshConnectionPool;
import dev.berth.controller.ssh.SshHostConnection;
import dev.berth.controller.ssh.SshKey;
import dev.berth.controller.ssh.SshSettings;
import dev.berth.controller.ssh.SshTarget;
import dev.berth.controller.testbed.TestBed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many Servers at once: {@code n} pooled SSH connections (one per host id, spread over the test bed's hosts, each a
 * separate connection to that host's sshd as distinct Servers would have), each used for a Docker call, then left
 * idle through several keep-alive periods, then used again. Reports connect-and-first-call latency, threads and
 * memory per connection, and whether any connection was lost or reopened.
 *
 * <p>Arguments: {@code n parallelism idleSeconds}. Run by {@code scripts/bench-many-hosts.sh}.
 */
public final class ManyHostsBenchmark {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int parallelism = Integer.parseInt(args[1]);
        int idleSeconds = Integer.parseInt(args[2]);
        TestBed bed = TestBed.get();
        List<TestBed.Host> hosts = bed.hosts();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SshConnectionPool pool = new SshConnectionPool(registry, SshSettings.defaults())) {
            List<SshHostConnection> connections = new ArrayList<>();
            List<SshDockerHost> dockers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                TestBed.Host h = hosts.get(i % hosts.size());
                SshHostConnection c = pool.connection(new SshTarget("many/" + i, h.address(), h.port(), h.user(),
                        SshKey.load(h.privateKey(), null), HostKeyPolicy.pinned(h.hostKeyFingerprint()), 8));
                connections.add(c);
                dockers.add(SshDockerHost.on(c, h.remoteDockerSocket(), registry));
            }
            ExecutorService callers = Executors.newFixedThreadPool(parallelism);
            // The first tenth warms up (classes, JIT, the callers' threads): the per-connection cost is what the
            // other nine tenths add.
            int warm = Math.max(1, n / 10);
            List<Double> first = Collections.synchronizedList(new ArrayList<>());
            long t0 = System.nanoTime();
            pingAll(callers, dockers.subList(0, warm), first);
            System.gc();
            int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
            long rssBefore = rssKib();
            pingAll(callers, dockers.subList(warm, n), first);
            double wall = (System.nanoTime() - t0) / 1e9;
            System.gc();
            int threadsConnected = ManagementFactory.getThreadMXBean().getThreadCount();
            long rssConnected = rssKib();
            System.err.printf("%d connected in %.1f s; idle %d s...%n", n, wall, idleSeconds);

            Thread.sleep(Duration.ofSeconds(idleSeconds).toMillis());
            long stillUp = connections.stream().filter(SshHostConnection::isConnected).count();
            int channelsIdle = connections.stream().mapToInt(SshHostConnection::openChannels).sum();
            List<Double> again = Collections.synchronizedList(new ArrayList<>());
            pingAll(callers, dockers, again);
            callers.shutdown();
            double opened = registry.find("berth.ssh.connections.opened").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            double lost = registry.find("berth.ssh.connections.lost").counters().stream()
                    .mapToDouble(c -> c.count()).sum();
            long keyExchanges = connections.stream().mapToLong(SshHostConnection::keyExchanges).sum();
            dockers.forEach(SshDockerHost::close);

            System.out.println("| measure | value |");
            System.out.println("|---|---|");
            row("connections (host ids) over " + hosts.size() + " bed hosts, " + parallelism + " at a time", n);
            row("connect + first Docker call, wall for all", String.format(Locale.ROOT, "%.1f s", wall));
            row("connect + first Docker call, median / p95 / max", ms(first));
            row("JVM threads with " + warm + " / all connected (per further connection)", threadsBefore + " / "
                    + threadsConnected + String.format(Locale.ROOT, " (%.1f)",
                    (threadsConnected - threadsBefore) / (double) (n - warm)));
            row("RSS with " + warm + " / all connected (per further connection)", rssBefore / 1024 + " / "
                    + rssConnected / 1024 + String.format(Locale.ROOT, " MiB (%.0f KiB)",
                    (rssConnected - rssBefore) / (double) (n - warm)));
            row("still connected after " + idleSeconds + " s idle (keep-alives every "
                    + SshSettings.defaults().keepAliveInterval().toSeconds() + " s)", stillUp + " of " + n);
            row("channels open after the idle time (idle HTTP connections are closed after "
                    + "30 s)", channelsIdle);
            row("Docker call after the idle time, median / p95 / max", ms(again));
            row("connections opened in all / lost / key exchanges", (long) opened + " / " + (long) lost + " / "
                    + keyExchanges);
        }
        System.exit(0);
    }

    /** A Docker ping through each, {@code callers} at a time; the latencies (ms) go to {@code samples}. */
    private static void pingAll(ExecutorService callers, List<SshDockerHost> dockers, List<Double> samples)
            throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (SshDockerHost d : dockers) {
            done.add(callers.submit(() -> {
                long t = System.nanoTime();
                d.ping();
                samples.add((System.nanoTime() - t) / 1e6);
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    private static String ms(List<Double> samples) {
        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms", percentile(samples, 50), percentile(samples, 95),
                samples.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    private static void row(String what, Object value) {
        System.out.println("| " + what + " | " + value + " |");
    }

    private static long rssKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
