package dev.berth.controller.ssh;

import java.security.PublicKey;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the key a host presents against a {@link HostKeyPolicy}; never accepts a key silently. One instance lives
 * as long as the pool's entry for a host, so a TrustOnFirstUse key seen once is required on every reconnect, even
 * before the caller has recorded it.
 */
public final class HostKeyVerifier implements net.schmizz.sshj.transport.verification.HostKeyVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(HostKeyVerifier.class);

    /** What the last verification decided. */
    public enum Verdict { NONE, MATCHED, TRUSTED_ON_FIRST_USE, MISMATCH }

    private final String hostId;
    private final HostKeyPolicy policy;
    private volatile String trusted;
    private volatile String lastPresented;
    private volatile Verdict lastVerdict = Verdict.NONE;

    public HostKeyVerifier(String hostId, HostKeyPolicy policy) {
        this.hostId = hostId;
        this.policy = policy;
        this.trusted = policy.fingerprint();
    }

    @Override
    public synchronized boolean verify(String hostname, int port, PublicKey key) {
        String presented = SshFingerprint.of(key);
        lastPresented = presented;
        if (trusted == null) {
            // Only reachable with TrustOnFirstUse and nothing recorded yet: Pinned always has a fingerprint.
            trusted = presented;
            lastVerdict = Verdict.TRUSTED_ON_FIRST_USE;
            LOG.info("host {} ({}:{}): trusting its {} key on first use, fingerprint {}",
                    hostId, hostname, port, key.getAlgorithm(), presented);
            return true;
        }
        if (trusted.equals(presented)) {
            lastVerdict = Verdict.MATCHED;
            return true;
        }
        lastVerdict = Verdict.MISMATCH;
        LOG.warn("host {} ({}:{}): host key {} does not match the expected {}; refusing to connect",
                hostId, hostname, port, presented, trusted);
        return false;
    }

    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        return List.of();
    }

    public HostKeyPolicy policy() {
        return policy;
    }

    /** The fingerprint now required: pinned, recorded, or trusted on first use; null before the first connection. */
    public String trustedFingerprint() {
        return trusted;
    }

    /** The fingerprint the host presented at the last connection attempt, or null. */
    public String lastPresentedFingerprint() {
        return lastPresented;
    }

    public Verdict lastVerdict() {
        return lastVerdict;
    }
}
