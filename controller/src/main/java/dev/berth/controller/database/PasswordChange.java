package dev.berth.controller.database;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How an engine takes a new password for its login ({@link DatabaseEngine#passwordChange}).
 *
 * <p>The rule, for every engine: the login's password is the credentials Secret's. The desired container's
 * environment carries it (so the container is replaced when it changes, and a restart never brings an old password
 * back), and the connection Secret's {@code password} is the one the engine was last seen to accept. When the two
 * differ, the reconciler runs the {@link InPlace} exec in the running container (old or already replaced: it first
 * tries the new password, so running it twice is harmless) before the readiness check, and writes the connection
 * Secret only once it succeeded. Engines that keep the password in their data (PostgreSQL, MySQL, MariaDB, MongoDB)
 * need the exec: a new container's first-start variables change nothing there. The Redis family reads it from the
 * environment at every start, so for them the exec only makes the change take effect before the container is
 * replaced; a {@code CONFIG SET} alone would be undone by a restart of the old container. ClickHouse's image writes
 * its user from the environment at every start and refuses to alter that user by SQL: {@link AtRestart}.
 */
public sealed interface PasswordChange {
    /** Exit status of the exec: neither the new nor the previous password logs in (or the engine does not answer). */
    int NO_LOGIN = 10;
    /** Exit status of the exec: the previous password logs in, but the engine refused the change. */
    int REFUSED = 11;
    /** The condition reason for a password change that failed. */
    String FAILED_REASON = "PasswordChangeFailed";

    /** True when the engine was last given another password than the login's ({@code applied} empty: not known). */
    static boolean due(Optional<String> applied, DatabaseLogin login) {
        return applied.isPresent() && !applied.get().equals(login.password());
    }

    /**
     * A command run in the database container by {@code docker exec}, with both passwords only in {@link #env()}
     * (never in {@link #command()}, which {@code ps} on the host shows). It exits 0 when the engine accepts the new
     * password (at once if it already did), {@link #NO_LOGIN} or {@link #REFUSED} otherwise; it prints nothing of the
     * engine's (whose errors may quote the statement), so its output needs no scrubbing.
     */
    record InPlace(List<String> command, Map<String, String> env, Set<String> secretNames) implements PasswordChange {
        public InPlace {
            command = List.copyOf(command);
            env = Map.copyOf(env);
            secretNames = Set.copyOf(secretNames);
            if (!env.keySet().containsAll(secretNames)) {
                throw new IllegalArgumentException("secret names " + secretNames + " not all in env " + env.keySet());
            }
        }

        /** The environment as {@code NAME=value} entries, as Docker's exec API takes it (sorted, so stable). */
        public List<String> envEntries() {
            return env.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue())
                    .toList();
        }

        /** What to tell a person when the exec exited with {@code exitCode} (not 0); names no password. */
        public String failureMessage(int exitCode, String credentialsSecretName) {
            return switch (exitCode) {
                case NO_LOGIN -> "the password in Secret " + credentialsSecretName + " changed, but the engine accepts "
                        + "neither it nor the previous one (or does not answer): if it runs, set the login's password "
                        + "inside the engine to the Secret's value by hand, or put the previous password back in the "
                        + "Secret";
                case REFUSED -> "the password in Secret " + credentialsSecretName + " changed, and the engine refused "
                        + "to take it for the login (the previous password still works and the connection Secret keeps "
                        + "it): check the engine's log, or put the previous password back in the Secret";
                default -> "the password change for Secret " + credentialsSecretName + " exited with status "
                        + exitCode;
            };
        }

        @Override
        public String toString() {
            return "PasswordChange.InPlace[command=" + command + ", env names="
                    + env.keySet().stream().sorted().toList() + "]";
        }
    }

    /** Nothing to run in place: the replaced container, with the new password in its environment, applies it. */
    record AtRestart(String why) implements PasswordChange {
    }
}
