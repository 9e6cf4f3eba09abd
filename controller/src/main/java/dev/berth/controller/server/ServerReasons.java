package dev.berth.controller.server;

/** Condition reasons of a Server (stable, CamelCase, documented in docs/conditions.md). */
public final class ServerReasons {
    /** Reachable=True: SSH connected with a verified host key and our key accepted. */
    public static final String CONNECTED = "Connected";
    /** DockerReady=True: the engine answered and is recent enough; the Berth network exists. */
    public static final String DOCKER_AVAILABLE = "DockerAvailable";
    /** DockerReady=Unknown: not checked, because the host could not be reached. */
    public static final String NOT_CHECKED = "NotChecked";

    /** TCP connect failed or timed out, the SSH handshake failed, or the connection dropped. */
    public static final String UNREACHABLE = "Unreachable";
    /** The host refused the private key. */
    public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
    /** The host presented another key than the pinned (or first seen) one; Berth refuses it until a person acts. */
    public static final String HOST_KEY_MISMATCH = "HostKeyMismatch";
    /** The Docker socket is missing or the engine does not answer. */
    public static final String DOCKER_UNAVAILABLE = "DockerUnavailable";
    /** The engine is older than spec.docker.minVersion. */
    public static final String DOCKER_TOO_OLD = "DockerTooOld";
    /** The Secret named by spec.privateKeySecretRef, or its key, does not exist. */
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    /** The Secret's private key cannot be parsed or decrypted (wrong passphrase, unsupported format). */
    public static final String PRIVATE_KEY_INVALID = "PrivateKeyInvalid";
    /** Deletion is held back: Applications or StandaloneDatabases still reference the Server. */
    public static final String IN_USE = "InUse";

    private ServerReasons() {
    }
}
