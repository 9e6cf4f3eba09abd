package dev.berth.controller.backup;

import java.util.List;

/**
 * Which of a destination's backups to delete, and why; the rest (Berth's) are kept. Names that are not Berth's are in
 * neither list: they are not counted and never deleted.
 */
public record RetentionPlan(List<StoredBackup> keep, List<Deletion> delete) {

    /** The rule that condemned a backup (the first that did, checked in this order). */
    public enum Reason {
        KEEP_LAST, MAX_AGE, MAX_TOTAL_SIZE
    }

    public record Deletion(StoredBackup backup, BackupName name, Reason reason) {
    }
}
