package dev.berth.controller.backup.store;

/** What was stored: the sha256 (lower-case hex) and size of the bytes as written to every destination. */
public record BackupDigest(String sha256, long sizeBytes) {
}
