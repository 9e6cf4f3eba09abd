package dev.berth.controller.database;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * What stands for a password in a database's configuration hash (a container label, {@code status.configHash}, the
 * mirror): a changed password must give a new container, but a fast hash of it would let anyone who reads the label
 * try guesses offline at full speed. So it is PBKDF2 (HMAC-SHA-256, {@link #ITERATIONS} rounds) salted with the
 * database's uid, computed once per database and password and remembered in memory.
 */
final class PasswordFingerprint {
    static final int ITERATIONS = 210_000;

    private record Known(String password, String fingerprint) {
    }

    private static final Map<String, Known> BY_DATABASE = new ConcurrentHashMap<>();

    private PasswordFingerprint() {
    }

    static String of(String databaseUid, String password) {
        String key = databaseUid == null ? "" : databaseUid;
        Known known = BY_DATABASE.get(key);
        if (known != null && known.password().equals(password)) {
            return known.fingerprint();
        }
        String fingerprint = derive(key, password);
        BY_DATABASE.put(key, new Known(password, fingerprint));
        return fingerprint;
    }

    private static String derive(String salt, String password) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), ("berth:" + salt).getBytes(StandardCharsets.UTF_8),
                    ITERATIONS, 128);
            try {
                return HexFormat.of().formatHex(SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                        .generateSecret(spec).getEncoded());
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JRE", e);
        }
    }
}
