package dev.berth.controller.backup;

import java.time.Instant;

/**
 * One entry of a destination's listing (an S3 object or a file on the Server), named relative to the
 * ScheduledBackup's directory ({@link BackupName#directory}).
 */
public record StoredBackup(String name, long sizeBytes, Instant lastModified) {
}
