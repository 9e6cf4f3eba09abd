package dev.berth.controller.ssh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicInteger;

/** The SSH layer's meters, tagged by host id. */
final class SshMetrics {

    static final String CONNECTIONS_OPENED = "berth.ssh.connections.opened";
    static final String CONNECTIONS_FAILED = "berth.ssh.connections.failed";
    static final String CHANNELS_OPEN = "berth.ssh.channels.open";
    static final String OPERATION = "berth.ssh.operation";

    private final MeterRegistry registry;

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

    Gauge openChannelsGauge(String host, AtomicInteger open) {
        return Gauge.builder(CHANNELS_OPEN, open, AtomicInteger::get)
                .description("SSH channels open to the host now (exec sessions and socket forwards)")
                .tag("host", host).register(registry);
    }

    /** {@code kind}: exec (a remote command, start to exit) or channel-open (opening a socket forward). */
    Timer operation(String host, String kind) {
        return Timer.builder(OPERATION).description("Latency of SSH operations")
                .tag("host", host).tag("kind", kind).register(registry);
    }

    void remove(Gauge gauge) {
        registry.remove(gauge);
    }
}
