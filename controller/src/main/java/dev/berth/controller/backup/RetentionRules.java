package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.controller.validation.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ScheduledBackup's retention, parsed: each limit is optional (null = no limit).
 *
 * @param keepLast      keep at most this many backups
 * @param maxAge        delete backups that started longer ago than this
 * @param maxTotalBytes delete the oldest backups while all together exceed this
 */
public record RetentionRules(Integer keepLast, Duration maxAge, Long maxTotalBytes) {
    private static final Pattern SIZE = Pattern.compile("([0-9]+)(b|k|m|g|ki|mi|gi)?");

    public static final RetentionRules NONE = new RetentionRules(null, null, null);

    /** From a spec the validator accepted (its patterns: durations like 30d or 1h30m, sizes like 500m or 10Gi). */
    public static RetentionRules from(ScheduledBackupSpec.Retention retention) {
        if (retention == null) {
            return NONE;
        }
        return new RetentionRules(retention.getKeepLast(),
                retention.getMaxAge() == null ? null : duration(retention.getMaxAge()),
                retention.getMaxTotalSize() == null ? null : bytes(retention.getMaxTotalSize()));
    }

    static Duration duration(String text) {
        return Durations.parse(text).orElseThrow(() -> new IllegalArgumentException("'" + text
                + "' is not a duration such as 30d or 1h30m"));
    }

    /** Sizes as the spec's other memory fields read them: k/m/g and Ki/Mi/Gi are both powers of 1024. */
    static long bytes(String text) {
        Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size such as 500m or 10g");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        return switch (unit.charAt(0)) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> n;
        };
    }
}
