package dev.berth.controller.ssh;

import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.common.SSHRuntimeException;
import net.schmizz.sshj.transport.cipher.BlockCipher;
import net.schmizz.sshj.transport.cipher.Cipher;
import net.schmizz.sshj.transport.mac.MAC;

/**
 * The per-packet ciphers and MACs of Berth's SSH connections, computed by the JDK's own provider (SunJCE).
 *
 * <p>sshj asks the security provider it registered, Bouncy Castle, for every cipher and MAC, and Bouncy Castle's
 * AES and SHA-256 are plain Java. The JDK's are compiled to the CPU's AES and SHA instructions (HotSpot intrinsics),
 * which matters for the many small Docker API messages: profiled, Bouncy Castle's AES-CTR and HMAC-SHA-256 were about
 * a quarter of the JVM's CPU per Docker call. Key exchange and signatures stay with sshj's choice (once per
 * connection). Where the JDK has no SunJCE provider these factories are not offered and sshj's own are used.
 */
final class JdkCrypto {

    static final String PROVIDER = "SunJCE";

    private JdkCrypto() {
    }

    /** The JDK's provider, or null on a JDK without it. */
    static Provider provider() {
        return Security.getProvider(PROVIDER);
    }

    /** AES in counter mode: {@code aes128-ctr}, {@code aes192-ctr}, {@code aes256-ctr}. */
    static List<Factory.Named<Cipher>> ciphers(Provider provider) {
        return List.of(ctr("aes128-ctr", 16, provider), ctr("aes192-ctr", 24, provider), ctr("aes256-ctr", 32, provider));
    }

    /** HMAC-SHA-2, encrypt-then-MAC and plain. */
    static List<Factory.Named<MAC>> macs(Provider provider) {
        return List.of(
                mac("hmac-sha2-256-etm@openssh.com", "HmacSHA256", 32, true, provider),
                mac("hmac-sha2-512-etm@openssh.com", "HmacSHA512", 64, true, provider),
                mac("hmac-sha2-256", "HmacSHA256", 32, false, provider),
                mac("hmac-sha2-512", "HmacSHA512", 64, false, provider));
    }

    private static Factory.Named<Cipher> ctr(String name, int keyBytes, Provider provider) {
        return named(name, () -> new CtrCipher(keyBytes, provider));
    }

    private static Factory.Named<MAC> mac(String name, String algorithm, int size, boolean etm, Provider provider) {
        return named(name, () -> new JdkMac(algorithm, size, etm, provider));
    }

    private static <T> Factory.Named<T> named(String name, Supplier<T> create) {
        return new Factory.Named<>() {
            @Override
            public T create() {
                return create.get();
            }

            @Override
            public String getName() {
                return name;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** sshj's AES-CTR (its block size is the key length, as sshj's key derivation expects), on the JDK's cipher. */
    static final class CtrCipher extends BlockCipher {
        private static final int IV_BYTES = 16;
        private final Provider provider;

        CtrCipher(int keyBytes, Provider provider) {
            super(IV_BYTES, keyBytes, "AES", "AES/CTR/NoPadding");
            this.provider = provider;
        }

        @Override
        public void init(Mode mode, byte[] key, byte[] iv) {
            // The key exchange derives at least as many bytes as asked for; use the first ones.
            byte[] k = key.length > getBlockSize() ? Arrays.copyOf(key, getBlockSize()) : key;
            byte[] v = iv.length > IV_BYTES ? Arrays.copyOf(iv, IV_BYTES) : iv;
            try {
                cipher = javax.crypto.Cipher.getInstance("AES/CTR/NoPadding", provider);
                initCipher(cipher, mode, k, v);
            } catch (GeneralSecurityException e) {
                cipher = null;
                throw new SSHRuntimeException(e);
            }
        }
    }

    /** An HMAC whose full output is the MAC (SHA-2 ones: no truncation), on the JDK's implementation. */
    static final class JdkMac implements MAC {
        private final String algorithm;
        private final int size;
        private final boolean etm;
        private final Provider provider;
        private final byte[] sequence = new byte[4];
        private Mac mac;

        JdkMac(String algorithm, int size, boolean etm, Provider provider) {
            this.algorithm = algorithm;
            this.size = size;
            this.etm = etm;
            this.provider = provider;
        }

        @Override
        public void init(byte[] key) {
            byte[] k = key.length > size ? Arrays.copyOf(key, size) : key;
            try {
                mac = Mac.getInstance(algorithm, provider);
                mac.init(new SecretKeySpec(k, algorithm));
            } catch (GeneralSecurityException e) {
                throw new SSHRuntimeException(e);
            }
        }

        @Override
        public int getBlockSize() {
            return size;
        }

        @Override
        public boolean isEtm() {
            return etm;
        }

        @Override
        public void update(byte[] input, int offset, int length) {
            mac.update(input, offset, length);
        }

        @Override
        public void update(byte[] input) {
            mac.update(input, 0, input.length);
        }

        /** The packet's sequence number, as a uint32. */
        @Override
        public void update(long value) {
            sequence[0] = (byte) (value >>> 24);
            sequence[1] = (byte) (value >>> 16);
            sequence[2] = (byte) (value >>> 8);
            sequence[3] = (byte) value;
            mac.update(sequence, 0, 4);
        }

        @Override
        public byte[] doFinal() {
            return mac.doFinal();
        }

        @Override
        public byte[] doFinal(byte[] input) {
            return mac.doFinal(input);
        }

        @Override
        public void doFinal(byte[] out, int offset) {
            try {
                mac.doFinal(out, offset);
            } catch (ShortBufferException e) {
                throw new SSHRuntimeException(e);
            }
        }
    }
}
