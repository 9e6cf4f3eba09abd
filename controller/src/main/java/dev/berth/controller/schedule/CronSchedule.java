package dev.berth.controller.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A ScheduledBackup's schedule: five-field Unix cron (minute hour day-of-month month day-of-week) or one of the
 * aliases @yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly, read in an IANA time zone.
 */
public final class CronSchedule {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Map<String, String> ALIASES = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");

    private final ExecutionTime executionTime;
    private final ZoneId zone;

    private CronSchedule(ExecutionTime executionTime, ZoneId zone) {
        this.executionTime = executionTime;
        this.zone = zone;
    }

    /** Parses, or throws {@link IllegalArgumentException} with a message fit for a condition. */
    public static CronSchedule parse(String expression, String timeZone) {
        return new CronSchedule(ExecutionTime.forCron(parseCron(expression)), zone(timeZone));
    }

    public static Cron parseCron(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("required");
        }
        String text = expression.trim();
        if (text.startsWith("@")) {
            String fields = ALIASES.get(text.toLowerCase(Locale.ROOT));
            if (fields == null) {
                throw new IllegalArgumentException("unknown alias '" + text
                        + "' (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)");
            }
            text = fields;
        }
        if (text.split("\\s+").length != 5) {
            throw new IllegalArgumentException("'" + expression
                    + "' is not a five-field cron expression (minute hour day-of-month month day-of-week)");
        }
        try {
            return PARSER.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + expression + "' is not a valid cron expression: " + e.getMessage());
        }
    }

    public static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + timeZone + "' is not an IANA time zone such as UTC or Europe/Berlin");
        }
    }

    /**
     * The first slot strictly after {@code after}. Across DST changes: a wall-clock time that occurs twice (fall back)
     * runs once for a fixed hour and every real hour for an hourly schedule (cron-utils' rule); a wall-clock time that
     * does not exist (spring forward) runs shifted by the length of the gap, as java.time resolves it — 02:30 on the
     * night Berlin jumps from 02:00 to 03:00 runs at 03:30 — instead of that day's run silently vanishing.
     */
    public Optional<Instant> nextAfter(Instant after) {
        Optional<Instant> next = executionTime.nextExecution(after.atZone(zone)).map(ZonedDateTime::toInstant);
        // Gaps before the regular next slot (or within a year when there is none) may hold a shifted slot.
        Instant horizon = next.orElse(after.plus(Duration.ofDays(366)));
        ZoneRules rules = zone.getRules();
        for (ZoneOffsetTransition t = rules.nextTransition(after); t != null && !t.getInstant().isAfter(horizon);
                t = rules.nextTransition(t.getInstant())) {
            if (!t.isGap()) {
                continue;
            }
            Optional<Instant> shifted = firstSlotInGap(t).filter(i -> i.isAfter(after));
            if (shifted.isPresent() && (next.isEmpty() || shifted.get().isBefore(next.get()))) {
                return shifted;
            }
        }
        return next;
    }

    /** The earliest wall-clock minute inside a spring-forward gap the cron matches, resolved forward by the gap. */
    private Optional<Instant> firstSlotInGap(ZoneOffsetTransition gap) {
        for (LocalDateTime m = gap.getDateTimeBefore(); m.isBefore(gap.getDateTimeAfter()); m = m.plusMinutes(1)) {
            // Matched as fields in a zone without DST: the wall-clock time itself, which does not exist in this zone.
            if (executionTime.isMatch(m.atZone(ZoneOffset.UTC))) {
                return Optional.of(m.atZone(zone).toInstant());
            }
        }
        return Optional.empty();
    }

    /**
     * The slots in {@code (after, until]}, oldest first, as {@link #nextAfter} walks them; only the newest
     * {@code limit} when there are more (an operator down for a year does not list every slot it slept through).
     */
    public List<Instant> slotsBetween(Instant after, Instant until, int limit) {
        // Find a starting point not much older than the newest `limit` slots by walking back with cron-utils (which
        // may count a repeated fall-back time twice: twice the steps covers that), then walk forward.
        Instant start = after;
        ZonedDateTime cursor = until.plusSeconds(1).atZone(zone);
        for (int i = 0; i < 2 * limit + 4; i++) {
            Optional<ZonedDateTime> previous = executionTime.lastExecution(cursor);
            if (previous.isEmpty() || !previous.get().toInstant().isAfter(after)) {
                cursor = null;
                break;
            }
            cursor = previous.get();
        }
        if (cursor != null) {
            start = cursor.toInstant().minusSeconds(1);
        }
        Deque<Instant> slots = new ArrayDeque<>();
        for (Optional<Instant> next = nextAfter(start); next.isPresent() && !next.get().isAfter(until);
                next = nextAfter(next.get())) {
            slots.addLast(next.get());
            if (slots.size() > limit) {
                slots.removeFirst();
            }
        }
        return List.copyOf(slots);
    }

    public ZoneId zone() {
        return zone;
    }
}
