package dev.berth.controller.backup;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
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

    static Cron parseCron(String expression) {
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

    static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + timeZone + "' is not an IANA time zone such as UTC or Europe/Berlin");
        }
    }

    /** The first run strictly after {@code after}. */
    public Optional<Instant> nextAfter(Instant after) {
        return executionTime.nextExecution(after.atZone(zone)).map(t -> t.toInstant());
    }
}
