package dev.berth.controller.database;

/** Condition reasons of StandaloneDatabases (stable, CamelCase, listed in docs/crds.md). */
public final class DatabaseReasons {
    /** The engine exited or never accepted an authenticated connection; the message has its last log lines. */
    public static final String DATABASE_FAILED = "DatabaseFailed";
    /** The engine answers no more (Docker's health check fails) after it did; Berth leaves it running. */
    public static final String DATABASE_UNHEALTHY = "DatabaseUnhealthy";
    /** The container started and the engine does not accept an authenticated connection yet. */
    public static final String STARTING = "Starting";
    /** The data volume went out of band after the database ran; nothing is started on an empty one. */
    public static final String DATA_VOLUME_MISSING = "DataVolumeMissing";
    /** spec.image names another PostgreSQL major version than the data's. */
    public static final String MAJOR_UPGRADE_NOT_SUPPORTED = "MajorUpgradeNotSupported";
    /** spec.publicPort is taken on the Server. */
    public static final String PUBLIC_PORT_IN_USE = "PublicPortInUse";
    /** The image cannot be pulled. */
    public static final String IMAGE_UNAVAILABLE = "ImageUnavailable";
    /** The Server's host cannot be reached, or its Docker answers no more. */
    public static final String SERVER_UNAVAILABLE = "ServerUnavailable";
    /** Docker refused a call. */
    public static final String DOCKER_ERROR = "DockerError";
    /** Event: a container stopped or removed out of band was put back. */
    public static final String DRIFT_REPAIRED = "DriftRepaired";

    /** Condition type: the database was made from a backup (spec.restoreFrom). */
    public static final String CONDITION_RESTORED = "Restored";
    /** Restored=True: the backup run named in the message was restored, its sha256 checked. */
    public static final String RESTORED = "Restored";
    /** Restored=False while the restore is under way (the engine starting, the dump streaming). */
    public static final String RESTORING = "Restoring";
    /** spec.restoreFrom on a volume that already exists and was not made by this restore: nothing is touched. */
    public static final String RESTORE_TARGET_NOT_EMPTY = "RestoreTargetNotEmpty";
    /** The restore failed (or its backup cannot be found or read); never Ready on a half-restored database. */
    public static final String RESTORE_FAILED = "RestoreFailed";
    /** spec.restoreFrom.backupRef names a ScheduledBackup that does not exist in the namespace. */
    public static final String BACKUP_NOT_FOUND = "BackupNotFound";

    private DatabaseReasons() {
    }
}
