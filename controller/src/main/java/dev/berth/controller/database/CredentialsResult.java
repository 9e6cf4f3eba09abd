package dev.berth.controller.database;

import dev.berth.controller.status.Outcome;
import java.util.Objects;

/**
 * What {@link DatabaseCredentials#resolve} found: the database's login, or why there is none yet. Neither kind holds a
 * password in its {@code toString()} or message (a {@link DatabaseLogin} prints none).
 */
public sealed interface CredentialsResult {
    /** The Secret (or a key of it) that the login comes from does not exist, or the key is empty. */
    String SECRET_NOT_FOUND = "SecretNotFound";
    /** The Secret's value cannot be a password (it holds a NUL character, which no process environment can carry). */
    String SECRET_INVALID = "SecretInvalid";

    /** The login, from the Secret {@code secretName}; {@code generated} when Berth made that Secret. */
    record Resolved(DatabaseLogin login, String secretName, boolean generated) implements CredentialsResult {
        public Resolved {
            Objects.requireNonNull(login, "login");
            Objects.requireNonNull(secretName, "secretName");
        }
    }

    /**
     * No usable login: {@code reason} is {@link #SECRET_NOT_FOUND} or {@link #SECRET_INVALID}; {@code message} names the
     * Secret and the key (never a value) and what a person can do. The database must be left untouched.
     */
    record Unusable(String reason, String secretName, String message) implements CredentialsResult {
        /** {@code Ready=False} with this reason, as a Warning: only a person can fix it. */
        public Outcome outcome() {
            return Outcome.notReady(reason, message, "Waiting", true);
        }
    }
}
