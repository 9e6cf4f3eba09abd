package dev.berth.controller.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SshMetricsTest {

    @Test
    void channelGaugeSurvivesAConnectionReplacedWhileItsSuccessorLives() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SshMetrics metrics = new SshMetrics(registry);
        AtomicInteger old = new AtomicInteger(2);
        AtomicInteger successor = new AtomicInteger(3);

        metrics.trackOpenChannels("ns/web-1", old);
        metrics.trackOpenChannels("ns/web-1", successor); // the pool replaced the entry; the old one still works
        assertThat(gauge(registry)).isEqualTo(5.0);

        metrics.untrackOpenChannels("ns/web-1", old); // the old connection closes afterwards
        assertThat(gauge(registry)).as("the host keeps its gauge, now counting the successor only").isEqualTo(3.0);

        metrics.untrackOpenChannels("ns/web-1", successor);
        assertThat(registry.find(SshMetrics.CHANNELS_OPEN).gauge()).as("gone with the last connection").isNull();
    }

    private static double gauge(SimpleMeterRegistry registry) {
        return registry.get(SshMetrics.CHANNELS_OPEN).tag("host", "ns/web-1").gauge().value();
    }
}
