package dev.berth.controller.docker;

import dev.berth.controller.ssh.SshFailure;
import java.util.Optional;

/** A Docker operation on a host failed; {@link #kind()} says how, for status reasons and retry decisions. */
public final class DockerHostException extends RuntimeException {

    public enum Kind {
        /** The host or its Docker socket could not be reached (see {@link #sshFailure()}). */
        Unavailable,
        /** The container, image, network or volume does not exist. */
        NotFound,
        /** A name is taken or the object is in use. */
        Conflict,
        /** The operation did not finish in time. */
        Timeout,
        /** Docker refused or failed the request. */
        Failed
    }

    private final Kind kind;
    private final transient SshFailure sshFailure;

    public DockerHostException(Kind kind, String message, SshFailure sshFailure) {
        super(message, sshFailure);
        this.kind = kind;
        this.sshFailure = sshFailure;
    }

    public Kind kind() {
        return kind;
    }

    /** The SSH failure behind an {@code Unavailable}, if that is what it was. */
    public Optional<SshFailure> sshFailure() {
        return Optional.ofNullable(sshFailure);
    }
}
