package dev.berth.controller.ssh;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Base64;
import java.util.regex.Pattern;
import net.schmizz.sshj.common.Buffer;

/** SHA256 fingerprints of SSH public keys, in the form {@code ssh-keygen -lf} prints: {@code SHA256:<base64, no padding>}. */
public final class SshFingerprint {

    private static final Pattern FORMAT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");

    private SshFingerprint() {
    }

    public static String of(PublicKey key) {
        return ofBlob(new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    /** Fingerprint of a public key in SSH wire encoding (the base64 part of an authorized_keys line, decoded). */
    public static String ofBlob(byte[] sshEncodedPublicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sshEncodedPublicKey);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Whether {@code fingerprint} looks like a SHA256 fingerprint (a 32-byte digest, base64 without padding). */
    public static boolean isWellFormed(String fingerprint) {
        return fingerprint != null && FORMAT.matcher(fingerprint).matches();
    }

    /** Accepts the form with padding ({@code =}) too, as some tools print it. */
    public static String normalize(String fingerprint) {
        if (fingerprint == null) {
            return null;
        }
        String f = fingerprint.strip();
        while (f.endsWith("=")) {
            f = f.substring(0, f.length() - 1);
        }
        return f;
    }
}
