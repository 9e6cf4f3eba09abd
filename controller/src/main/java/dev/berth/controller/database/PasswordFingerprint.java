package dev.berth.controller.database;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What stands for a password in a database's configuration hash (a container label, {@code status.configHash}, the
 * mirror): a changed password must give a new container, but a fast hash of the password alone would let anyone who
 * reads status or the mirror try guesses offline at full speed. Two ways, by what the data volume carries:
 * <ul>
 *   <li><b>keyed</b> (every volume Berth creates): HMAC-SHA-256 of the password under 32 random bytes that Berth puts
 *       on the volume as the label {@link #LABEL_KEY} when it creates it. The key is only on the Server, where the
 *       container's own environment holds the password anyway; without it the hash in status and the mirror gives
 *       nothing to test guesses against. Microseconds, so it costs nothing on the way to a started container;</li>
 *   <li><b>slow</b> (a volume without that label: made by hand, or by a Berth before the label existed): PBKDF2
 *       (HMAC-SHA-256, {@link #ITERATIONS} rounds) salted with the database's uid, about 0.1 s, computed once per
 *       database and password and remembered in memory. Such a volume keeps the hash it always had, so an upgrade of
 *       Berth replaces no container.</li>
 * </ul>
 */
final class PasswordFingerprint {
    static final int ITERATIONS = 210_000;
    /** Volume label: the key of the keyed fingerprint (hex, 32 random bytes), set once, when Berth creates it. */
    static final String LABEL_KEY = "berth.dev/login-key";
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Known(String password, String fingerprint) {
    }

    private static final Map<String, Known> BY_DATABASE = new ConcurrentHashMap<>();

    private PasswordFingerprint() {
    }

    /**
     * The key a volume with these labels carries: null when it has none (made by hand, or by an earlier Berth), a new
     * one when there is no volume yet, for the volume Berth is about to create ({@link DesiredDatabase#volumeLabels}).
     */
    static String volumeKey(Optional<Map<String, String>> volumeLabels) {
        return volumeLabels.isEmpty() ? newKey() : volumeLabels.get().get(LABEL_KEY);
    }

    /** A new key for a volume about to be created. */
    static String newKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * The fingerprint of {@code password} for the database with uid {@code databaseUid} whose volume carries the key
     * {@code volumeKey} (null: the volume has none, the slow way).
     */
    static String of(String databaseUid, String password, String volumeKey) {
        if (volumeKey != null && !volumeKey.isBlank()) {
            return "k:" + keyed(volumeKey, databaseUid, password);
        }
        String key = databaseUid == null ? "" : databaseUid;
        Known known = BY_DATABASE.get(key);
        if (known != null && known.password().equals(password)) {
            return known.fingerprint();
        }
        String fingerprint = derive(key, password);
        BY_DATABASE.put(key, new Known(password, fingerprint));
        return fingerprint;
    }

    private static String keyed(String volumeKey, String databaseUid, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(volumeKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((databaseUid == null ? "" : databaseUid).getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return HexFormat.of().formatHex(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
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
