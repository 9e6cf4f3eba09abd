package dev.berth.controller.host;

/**
 * Berth will not (or cannot yet) talk to a Server's host: its key cannot be read, it is suspended, or its host key
 * was refused and nobody has acted on it. {@link #reason()} is a stable condition reason (see docs/conditions.md);
 * the message tells a person what to do and never carries key material.
 */
public final class ServerAccessException extends Exception {

    private final String reason;

    public ServerAccessException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** A condition reason: {@code SecretNotFound}, {@code PrivateKeyInvalid}, {@code Suspended}, {@code HostKeyMismatch}. */
    public String reason() {
        return reason;
    }
}
