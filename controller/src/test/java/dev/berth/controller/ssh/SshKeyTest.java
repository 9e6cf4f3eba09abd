package dev.berth.controller.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Key parsing of every supported format, from test-only keys made with ssh-keygen (src/test/resources/ssh). */
class SshKeyTest {

    private static final char[] PASSPHRASE = "test-passphrase".toCharArray();

    static byte[] resource(String name) throws IOException {
        try (InputStream in = SshKeyTest.class.getResourceAsStream("/ssh/" + name)) {
            assertThat(in).as("test resource /ssh/" + name).isNotNull();
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "ed25519-openssh,           ssh-ed25519,         false",
        "ed25519-openssh-encrypted, ssh-ed25519,         true",
        "ecdsa256-openssh,          ecdsa-sha2-nistp256, false",
        "ecdsa256-pkcs8,            ecdsa-sha2-nistp256, false",
        "ecdsa384-pem,              ecdsa-sha2-nistp384, false",
        "rsa-openssh,               ssh-rsa,             false",
        "rsa-pem,                   ssh-rsa,             false",
        "rsa-pem-encrypted,         ssh-rsa,             true",
        "rsa-pkcs8,                 ssh-rsa,             false",
    })
    void loadsEachFormatAndComputesTheFingerprintSshKeygenPrints(String file, String type, boolean encrypted)
            throws Exception {
        SshKey key = SshKey.load(resource(file), encrypted ? PASSPHRASE : null);
        String expected = new String(resource(file + ".fingerprint"), StandardCharsets.US_ASCII).strip();
        assertThat(key.type()).isEqualTo(type);
        assertThat(key.publicKeyFingerprint()).isEqualTo(expected);
        assertThat(key.toString()).isEqualTo("SshKey[" + type + " " + expected + "]");
    }

    @Test
    void encryptedKeyWithoutPassphraseSaysSo() throws Exception {
        byte[] bytes = resource("ed25519-openssh-encrypted");
        assertThatThrownBy(() -> SshKey.load(bytes, null))
                .isInstanceOf(PrivateKeyException.class)
                .hasMessageContaining("encrypted and no passphrase");
    }

    @Test
    void wrongPassphraseIsReportedWithoutKeyMaterial() throws Exception {
        for (String file : new String[] {"ed25519-openssh-encrypted", "rsa-pem-encrypted"}) {
            byte[] bytes = resource(file);
            assertThatThrownBy(() -> SshKey.load(bytes, "wrong".toCharArray()))
                    .as(file)
                    .isInstanceOf(PrivateKeyException.class)
                    .hasNoCause()
                    .satisfies(e -> assertNoKeyMaterial(e.getMessage(), bytes));
        }
    }

    @Test
    void garbageIsRejectedWithoutEchoingIt() {
        byte[] garbage = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw==\n-----END OPENSSH PRIVATE KEY-----\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> SshKey.load(garbage, null))
                .isInstanceOf(PrivateKeyException.class)
                .hasNoCause()
                .satisfies(e -> assertNoKeyMaterial(e.getMessage(), garbage));
        assertThatThrownBy(() -> SshKey.load("not a key at all".getBytes(StandardCharsets.US_ASCII), null))
                .isInstanceOf(PrivateKeyException.class)
                .hasMessageNotContaining("not a key at all");
        assertThatThrownBy(() -> SshKey.load(new byte[0], null)).isInstanceOf(PrivateKeyException.class);
    }

    /** No line of the key's base64 body (nor a 16-character piece of it) appears in {@code text}. */
    static void assertNoKeyMaterial(String text, byte[] key) {
        String s = text == null ? "" : text;
        for (String line : new String(key, StandardCharsets.US_ASCII).split("\n")) {
            if (line.startsWith("-----") || line.isBlank() || line.contains(":")) {
                continue;
            }
            for (int i = 0; i + 16 <= line.length(); i += 16) {
                assertThat(s).doesNotContain(line.substring(i, i + 16));
            }
        }
    }
}
