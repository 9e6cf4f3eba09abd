package dev.berth.controller.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DriftBackoffTest {
    private final Instant t0 = Instant.parse("2026-11-26T10:00:00Z");

    @Test
    void firstRepairAtOnceThenDoublingPausesUpToFiveMinutes() {
        DriftBackoff backoff = new DriftBackoff();
        assertThat(backoff.notBefore("a", t0)).isEmpty();
        backoff.repaired("a", t0);
        assertThat(backoff.notBefore("a", t0.plusSeconds(1))).contains(t0.plusSeconds(10));
        assertThat(backoff.notBefore("a", t0.plusSeconds(10))).isEmpty();
        backoff.repaired("a", t0.plusSeconds(10));
        assertThat(backoff.notBefore("a", t0.plusSeconds(11))).contains(t0.plusSeconds(30));
        assertThat(backoff.notBefore("b", t0.plusSeconds(11))).as("per Application").isEmpty();

        assertThat(DriftBackoff.delay(0)).isZero();
        assertThat(DriftBackoff.delay(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(DriftBackoff.delay(3)).isEqualTo(Duration.ofSeconds(40));
        assertThat(DriftBackoff.delay(20)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aQuietPeriodForgets() {
        DriftBackoff backoff = new DriftBackoff();
        for (int i = 0; i < 5; i++) {
            backoff.repaired("a", t0);
        }
        assertThat(backoff.notBefore("a", t0.plusSeconds(60))).isPresent();
        Instant later = t0.plus(DriftBackoff.FORGET);
        assertThat(backoff.notBefore("a", later)).isEmpty();
        backoff.repaired("a", later);
        assertThat(backoff.notBefore("a", later.plusSeconds(1))).contains(later.plusSeconds(10));
    }
}
