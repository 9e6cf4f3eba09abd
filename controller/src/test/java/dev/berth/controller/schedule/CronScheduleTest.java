package dev.berth.controller.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
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

    private static List<Instant> slots(String cron, String zone, String after, String until) {
        return CronSchedule.parse(cron, zone).slotsBetween(Instant.parse(after), Instant.parse(until), 100);
    }

    private static List<Instant> instants(String... texts) {
        return Arrays.stream(texts).map(Instant::parse).toList();
    }

    @Test
    void springForwardInBerlinShiftsATimeThatDoesNotExistByTheGapInsteadOfDroppingTheDay() {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that night and runs at 03:30 CEST.
        assertThat(slots("30 2 * * *", "Europe/Berlin", "2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z"))
                .isEqualTo(instants("2026-03-28T01:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T00:30:00Z"));
        // Hourly: the hour that does not exist is not run twice (02:00 shifted is 03:00, already a slot).
        assertThat(slots("0 * * * *", "Europe/Berlin", "2026-03-28T23:30:00Z", "2026-03-29T02:30:00Z"))
                .isEqualTo(instants("2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"));
    }

    @Test
    void fallBackInBerlinRunsAFixedTimeOnceAndAnHourlyScheduleEveryRealHour() {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice and runs once, at the first.
        assertThat(slots("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z"))
                .isEqualTo(instants("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"));
        assertThat(slots("0 * * * *", "Europe/Berlin", "2026-10-24T23:30:00Z", "2026-10-25T02:30:00Z"))
                .isEqualTo(instants("2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"));
    }

    @Test
    void dstInNewYork() {
        // 2026-03-08: 02:00 EST becomes 03:00 EDT; 02:30 runs at 03:30 EDT (07:30Z).
        assertThat(slots("30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z"))
                .isEqualTo(instants("2026-03-08T07:30:00Z", "2026-03-09T06:30:00Z"));
        // 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 runs once, at the first (EDT).
        assertThat(slots("30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z"))
                .isEqualTo(instants("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"));
        // Every 30 minutes: every real half hour through the repeated hour.
        assertThat(slots("*/30 * * * *", "America/New_York", "2026-11-01T04:00:00Z", "2026-11-01T06:30:00Z"))
                .isEqualTo(instants("2026-11-01T04:30:00Z", "2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z",
                        "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z"));
    }

    @Test
    void slotsBetweenKeepsTheNewestWhenThereAreMoreThanTheLimit() {
        // A year of minutes: only the newest three, found without walking the whole year.
        assertThat(CronSchedule.parse("* * * * *", "UTC").slotsBetween(Instant.parse("2025-11-01T00:00:00Z"),
                Instant.parse("2026-11-01T00:00:30Z"), 3))
                .isEqualTo(instants("2026-10-31T23:58:00Z", "2026-10-31T23:59:00Z", "2026-11-01T00:00:00Z"));
        // The bounds: after is exclusive, until inclusive.
        assertThat(slots("@hourly", "UTC", "2026-11-01T00:00:00Z", "2026-11-01T02:00:00Z"))
                .isEqualTo(instants("2026-11-01T01:00:00Z", "2026-11-01T02:00:00Z"));
    }
}
