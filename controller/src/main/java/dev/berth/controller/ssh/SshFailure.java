package dev.berth.controller.ssh;

import java.io.IOException;

/**
 * A failure to reach or use a host over SSH, with a reason the Server reconciler maps to a status reason.
 * Messages are written for a person (what happened, what to do) and never carry key material.
 */
public abstract class SshFailure extends IOException {

    /** Stable reasons, CamelCase as they appear in status conditions. */
    public enum Reason {
        /** TCP connect failed, timed out, or the connection dropped. */
        Unreachable,
        /** The host refused our key (or our key could not be used). */
        AuthenticationFailed,
        /** The host presented a key other than the pinned (or first seen) one. */
        HostKeyMismatch,
        /** An operation did not finish, or could not get a channel, in time. */
        Timeout,
        /** The host refused to open a channel (e.g. the Docker socket path does not exist). */
        ChannelRefused
    }

    private final transient String host;

    protected SshFailure(String host, String message, Throwable cause) {
        super(message, cause);
        this.host = host;
    }

    public abstract Reason reason();

    /** The pool id of the host (e.g. the Server's namespace/name). */
    public String host() {
        return host;
    }

    /** The TCP connect failed or timed out, or the connection was lost. */
    public static final class Unreachable extends SshFailure {
        public Unreachable(String host, String message, Throwable cause) {
            super(host, message, cause);
        }

        @Override
        public Reason reason() {
            return Reason.Unreachable;
        }
    }

    /** The host did not accept the private key. */
    public static final class AuthenticationFailed extends SshFailure {
        public AuthenticationFailed(String host, String message) {
            super(host, message, null);
        }

        @Override
        public Reason reason() {
            return Reason.AuthenticationFailed;
        }
    }

    /** The host key is not the expected one; Berth refuses to talk to the host until a person acts. */
    public static final class HostKeyMismatch extends SshFailure {
        private final String expected;
        private final String presented;

        public HostKeyMismatch(String host, String message, String expected, String presented) {
            super(host, message, null);
            this.expected = expected;
            this.presented = presented;
        }

        public String expectedFingerprint() {
            return expected;
        }

        public String presentedFingerprint() {
            return presented;
        }

        @Override
        public Reason reason() {
            return Reason.HostKeyMismatch;
        }
    }

    /** No channel became free, or an operation did not finish, within its timeout. */
    public static final class Timeout extends SshFailure {
        public Timeout(String host, String message) {
            super(host, message, null);
        }

        @Override
        public Reason reason() {
            return Reason.Timeout;
        }
    }

    /** The host refused to open a channel. */
    public static final class ChannelRefused extends SshFailure {
        public ChannelRefused(String host, String message) {
            super(host, message, null);
        }

        @Override
        public Reason reason() {
            return Reason.ChannelRefused;
        }
    }
}
