package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    @Test
    void aliasesAndFiveFieldExpressions() {
        Instant t = Instant.parse("2026-11-26T10:15:00Z");
        assertThat(CronSchedule.parse("@daily", "UTC").nextAfter(t)).contains(Instant.parse("2026-11-27T00:00:00Z"));
        assertThat(CronSchedule.parse("@hourly", "UTC").nextAfter(t)).contains(Instant.parse("2026-11-26T11:00:00Z"));
        assertThat(CronSchedule.parse("30 2 * * 1-5", "UTC").nextAfter(t)).contains(Instant.parse("2026-11-27T02:30:00Z"));
    }

    @Test
    void timeZoneShiftsTheSchedule() {
        Instant t = Instant.parse("2026-11-26T10:15:00Z");
        // Midnight in Berlin (UTC+1 in November) is 23:00 UTC.
        assertThat(CronSchedule.parse("@daily", "Europe/Berlin").nextAfter(t)).contains(Instant.parse("2026-11-26T23:00:00Z"));
    }

    @Test
    void invalidExpressionsAndZonesAreExplained() {
        assertThatThrownBy(() -> CronSchedule.parse("@sometimes", "UTC")).hasMessageContaining("unknown alias '@sometimes'");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * *", "UTC")).hasMessageContaining("five-field");
        assertThatThrownBy(() -> CronSchedule.parse("61 0 * * *", "UTC")).hasMessageContaining("not a valid cron expression");
        assertThatThrownBy(() -> CronSchedule.parse("@daily", "Mars/Olympus")).hasMessageContaining("IANA time zone");
    }
}
