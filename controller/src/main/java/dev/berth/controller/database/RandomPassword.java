package dev.berth.controller.database;

import java.security.SecureRandom;

/**
 * A generated database password: {@value #LENGTH} characters drawn uniformly by {@link SecureRandom} from letters and
 * digits (about 238 bits). That alphabet needs no escaping in a URI, a shell word, a SQL literal, a Redis config line
 * or an XML file, so a generated password can never be the reason an engine's client or entrypoint trips.
 */
public final class RandomPassword {
    public static final int LENGTH = 40;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomPassword() {
    }

    public static String generate() {
        return generate(RANDOM);
    }

    static String generate(SecureRandom random) {
        StringBuilder password = new StringBuilder(LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            password.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return password.toString();
    }
}
