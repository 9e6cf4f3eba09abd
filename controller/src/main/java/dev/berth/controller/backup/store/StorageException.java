package dev.berth.controller.backup.store;

import java.io.IOException;

/** A destination refused or failed; the message is fit for status (no secrets) and has no cause attached on purpose:
 * an SDK exception's own text and fields may carry request details. */
public final class StorageException extends IOException {
    public StorageException(String message) {
        super(message);
    }
}
