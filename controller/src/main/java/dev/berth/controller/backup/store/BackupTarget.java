package dev.berth.controller.backup.store;

import java.io.IOException;

/**
 * One destination's copy of one backup, written as the bytes come: nothing is visible under the backup's name until
 * {@link #commit} confirms it, and {@link #abort} leaves nothing behind.
 */
public interface BackupTarget {
    /** Where the copy goes, for status and history (e.g. {@code s3://bucket/key}); never a secret. */
    String location();

    /** Takes the next bytes; may block while the destination catches up (that is what bounds memory). */
    void write(byte[] bytes, int offset, int length) throws IOException;

    /**
     * Makes the complete copy visible under its name and confirms it (S3: the upload completed; a Server: the file
     * renamed). Called only when the whole stream went through and the dump tool exited 0. A failure here must leave
     * nothing behind.
     */
    void commit(BackupDigest digest) throws IOException;

    /** Removes whatever was written (S3: the multipart upload aborted; a Server: the partial file removed). */
    void abort();
}
