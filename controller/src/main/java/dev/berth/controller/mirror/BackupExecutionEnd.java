package dev.berth.controller.mirror;

import java.util.List;

/**
 * How a backup execution ended, as its mirror row keeps it. No field holds a secret (the message is scrubbed where it
 * is made).
 *
 * @param status              succeeded or failed
 * @param reason              why it failed, as a word (DatabaseNotReady, ToolFailed, ...); null when it succeeded
 * @param location            the first complete copy, if any
 * @param restorableLocations every complete copy (also of a failed run)
 * @param verified            what verify found in the restored copy, null when not verified
 */
public record BackupExecutionEnd(BackupStatus status, String reason, String message, Long sizeBytes, String sha256,
                                 String location, List<String> restorableLocations, String verified) {
    public BackupExecutionEnd {
        restorableLocations = restorableLocations == null ? List.of() : List.copyOf(restorableLocations);
    }
}
