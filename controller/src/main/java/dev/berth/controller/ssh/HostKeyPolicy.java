package dev.berth.controller.ssh;

import java.util.Objects;

/**
 * How a host's key is checked. {@code Pinned}: only {@link #fingerprint()} is accepted.
 * {@code TrustOnFirstUse}: with no fingerprint recorded yet, the first key seen is accepted and reported (the caller
 * records it in status and passes it back from then on); once a fingerprint is known, any other key is refused.
 * There is no policy that accepts any key.
 */
public record HostKeyPolicy(Mode mode, String fingerprint) {

    public enum Mode { Pinned, TrustOnFirstUse }

    public HostKeyPolicy {
        Objects.requireNonNull(mode, "mode");
        fingerprint = SshFingerprint.normalize(fingerprint);
        if (fingerprint != null && fingerprint.isEmpty()) {
            fingerprint = null;
        }
        if (mode == Mode.Pinned && fingerprint == null) {
            throw new IllegalArgumentException("hostKey.policy Pinned needs hostKey.fingerprint (SHA256:...)");
        }
    }

    public static HostKeyPolicy pinned(String fingerprint) {
        return new HostKeyPolicy(Mode.Pinned, fingerprint);
    }

    /** @param recordedFingerprint the fingerprint recorded on an earlier first use, or null if none yet */
    public static HostKeyPolicy trustOnFirstUse(String recordedFingerprint) {
        return new HostKeyPolicy(Mode.TrustOnFirstUse, recordedFingerprint);
    }
}
