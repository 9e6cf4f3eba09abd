package dev.berth.controller.ssh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The SSH layer's meters, tagged by host id. */
final class SshMetrics {

    static final String CONNECTIONS_OPENED = "berth.ssh.connections.opened";
    static final String CONNECTIONS_FAILED = "berth.ssh.connections.failed";
    static final String CONNECTIONS_LOST = "berth.ssh.connections.lost";
    static final String CHANNELS_OPEN = "berth.ssh.channels.open";
    static final String OPERATION = "berth.ssh.operation";

    private final MeterRegistry registry;
    private final Map<String, Set<AtomicInteger>> openChannels = new HashMap<>();
    private final Map<String, Gauge> gauges = new HashMap<>();

    SshMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    MeterRegistry registry() {
        return registry;
    }

    void connectionOpened(String host) {
        Counter.builder(CONNECTIONS_OPENED).description("SSH connections established")
                .tag("host", host).register(registry).increment();
    }

    void connectionFailed(String host, SshFailure.Reason reason) {
        Counter.builder(CONNECTIONS_FAILED).description("SSH connection attempts that failed, by reason")
                .tag("host", host).tag("reason", reason.name()).register(registry).increment();
    }

    void connectionLost(String host) {
        Counter.builder(CONNECTIONS_LOST).description("Established SSH connections that dropped without Berth closing them")
                .tag("host", host).register(registry).increment();
    }

    /**
     * Counts {@code open} in the host's channel gauge. The gauge sums every connection of the host still alive: a
     * replaced connection finishing its operations in flight registers beside its successor, and the gauge stays
     * until the last of them is gone.
     */
    synchronized void trackOpenChannels(String host, AtomicInteger open) {
        Set<AtomicInteger> counters = openChannels.computeIfAbsent(host, h -> ConcurrentHashMap.newKeySet());
        counters.add(open);
        gauges.computeIfAbsent(host, h -> Gauge.builder(CHANNELS_OPEN, counters,
                        c -> c.stream().mapToInt(AtomicInteger::get).sum())
                .description("SSH channels open to the host now (exec sessions and socket forwards)")
                .tag("host", h).register(registry));
    }

    /** {@code kind}: exec (a remote command, start to exit) or channel-open (opening a socket forward). */
    Timer operation(String host, String kind) {
        return Timer.builder(OPERATION).description("Latency of SSH operations")
                .tag("host", host).tag("kind", kind).register(registry);
    }

    synchronized void untrackOpenChannels(String host, AtomicInteger open) {
        Set<AtomicInteger> counters = openChannels.get(host);
        if (counters == null || !counters.remove(open) || !counters.isEmpty()) {
            return;
        }
        openChannels.remove(host);
        Gauge gauge = gauges.remove(host);
        if (gauge != null) {
            registry.remove(gauge);
        }
    }
}
