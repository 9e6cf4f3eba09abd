package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.controller.backup.store.BackupDigest;
import dev.berth.controller.backup.store.S3Storage;
import dev.berth.controller.backup.store.ServerDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The one destination of a ScheduledBackup a restore reads from ({@code s3} or {@code host}): its listing, a stored
 * copy as a stream, and the digest that copy must have (S3: the object's {@code berth-sha256} metadata and size; a
 * Server: the {@code <name>.sha256} sidecar and the size on disk). The host destination is the directory on the
 * SOURCE database's Server, reached over that Server's SSH connection, whatever Server the restore targets.
 */
public final class RestoreSource {
    public static final String S3 = "s3";
    public static final String HOST = "host";

    private final BackupDestinations destinations;
    private final String which;

    public RestoreSource(BackupDestinations destinations, String which) {
        this.destinations = destinations;
        this.which = which;
    }

    /**
     * Which destination to read (pure): the one asked for, else S3 when the ScheduledBackup has it, else the host;
     * empty when the one asked for is not a destination of that ScheduledBackup.
     */
    public static Optional<String> which(ScheduledBackupSpec.Destination destination, String requested) {
        boolean s3 = destination != null && destination.getS3() != null;
        boolean host = destination != null && destination.getHost() != null;
        if (requested == null || requested.isBlank()) {
            return s3 ? Optional.of(S3) : host ? Optional.of(HOST) : Optional.empty();
        }
        return (S3.equals(requested) && s3) || (HOST.equals(requested) && host) ? Optional.of(requested)
                : Optional.empty();
    }

    public String which() {
        return which;
    }

    public List<StoredBackup> list() throws IOException {
        return S3.equals(which) ? s3().list(destinations.s3Directory()) : host().list();
    }

    /** The digest the stored copy must have; empty when it was not recorded beside the copy. */
    public Optional<BackupDigest> expectedDigest(BackupName name) throws IOException {
        return S3.equals(which) ? s3().expectedDigest(destinations.s3Directory() + name.fileName())
                : host().expectedDigest(name.fileName());
    }

    /** The stored copy, as a stream (read it to its end, then close it). */
    public InputStream open(BackupName name, Duration timeout) throws IOException {
        return S3.equals(which) ? s3().read(destinations.s3Directory() + name.fileName())
                : host().read(name.fileName(), timeout);
    }

    /** Where the copy is, for status: {@code s3://bucket/key} or {@code <server address>:<path>}. */
    public String location(BackupName name) {
        return S3.equals(which) ? "s3://" + s3Bucket() + "/" + destinations.s3Directory() + name.fileName()
                : host().location(name.fileName());
    }

    /** Where backups are looked for, for a message. */
    public String describe() {
        return S3.equals(which) ? "s3://" + s3Bucket() + "/" + destinations.s3Directory()
                : host().location("");
    }

    private String s3Bucket() {
        return s3().bucket();
    }

    private S3Storage s3() {
        return destinations.s3().orElseThrow(() -> new IllegalStateException("no S3 destination"));
    }

    private ServerDirectory host() {
        return destinations.host().orElseThrow(() -> new IllegalStateException("no host destination"));
    }
}
