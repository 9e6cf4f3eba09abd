package dev.berth.controller.backup;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of one backup Berth made: {@code <yyyyMMdd'T'HHmmss'Z'>-<run id>.<extension>} (UTC start time first, so
 * names sort by time), stored under {@code <prefix>/<namespace>/<ScheduledBackup name>/} in a bucket or under
 * {@code <path>/<namespace>/<ScheduledBackup name>/} on a Server. Retention deletes only names that parse: anything
 * else in that directory (a user's file, a {@code .partial} being written) is never Berth's to delete.
 */
public record BackupName(Instant startTime, UUID runId, String extension) {
    /** What a dump is stored as: custom-format pg_dump, gzip-compressed SQL / RDB / archives. */
    public static final List<String> EXTENSIONS = List.of("dump", "sql.gz", "archive.gz", "rdb.gz", "native.gz",
            "tar.gz");
    /** Suffix of a file on a Server while it is being written. */
    public static final String PARTIAL_SUFFIX = ".partial";

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Pattern NAME = Pattern.compile("(\\d{8}T\\d{6}Z)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
            + "[0-9a-f]{4}-[0-9a-f]{12})\\.(" + String.join("|", EXTENSIONS).replace(".", "\\.") + ")");

    public BackupName {
        startTime = startTime.truncatedTo(ChronoUnit.SECONDS);
        if (!EXTENSIONS.contains(extension)) {
            throw new IllegalArgumentException("unknown backup extension '" + extension + "'");
        }
    }

    public String fileName() {
        return STAMP.format(startTime) + "-" + runId + "." + extension;
    }

    /** A name Berth made, or empty for anything else (other files, sub-directories, partial writes). */
    public static Optional<BackupName> parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BackupName(STAMP.parse(m.group(1), Instant::from), UUID.fromString(m.group(2)),
                    m.group(3)));
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The directory (S3 key prefix, ending in '/') of one ScheduledBackup's dumps under {@code base} (the bucket's
     * prefix or the host path; blank for a bucket's root).
     */
    public static String directory(String base, String namespace, String scheduledBackup) {
        String root = base == null ? "" : base.replaceAll("/+$", "");
        return (root.isEmpty() ? "" : root + "/") + namespace + "/" + scheduledBackup + "/";
    }
}
