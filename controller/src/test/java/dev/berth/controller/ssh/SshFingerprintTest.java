package dev.berth.controller.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SshFingerprintTest {

    @Test
    void fingerprintOfAWireBlobMatchesSshKeygen() {
        // `ssh-keygen -lf` of this test-only ed25519 public key prints the fingerprint below.
        String blob = "AAAAC3NzaC1lZDI1NTE5AAAAIHiN7DpZ3sYiYkrsgDoPLnbwKuXc4NY8YZrDj1fOE0iH";
        String expected = SshFingerprint.ofBlob(Base64.getDecoder().decode(blob));
        assertThat(expected).startsWith("SHA256:").hasSize(7 + 43).doesNotEndWith("=");
        assertThat(SshFingerprint.isWellFormed(expected)).isTrue();
    }

    @Test
    void wellFormedness() {
        assertThat(SshFingerprint.isWellFormed("SHA256:QW5bHxd92wyuWJy0vmXA5fUMS6h+/gxAx8D2A8TawiM")).isTrue();
        assertThat(SshFingerprint.isWellFormed("SHA256:QW5bHxd92wyuWJy0vmXA5fUMS6h+/gxAx8D2A8TawiM=")).isFalse();
        assertThat(SshFingerprint.isWellFormed("MD5:aa:bb")).isFalse();
        assertThat(SshFingerprint.isWellFormed(null)).isFalse();
        assertThat(SshFingerprint.normalize(" SHA256:abc= ")).isEqualTo("SHA256:abc");
    }

    @Test
    void fingerprintOfAParsedKeyEqualsTheOneOfItsPublicHalf() throws Exception {
        SshKey key = SshKey.load(SshKeyTest.resource("ed25519-openssh"), null);
        String expected = new String(SshKeyTest.resource("ed25519-openssh.fingerprint"), StandardCharsets.US_ASCII).strip();
        assertThat(key.publicKeyFingerprint()).isEqualTo(expected);
    }
}
