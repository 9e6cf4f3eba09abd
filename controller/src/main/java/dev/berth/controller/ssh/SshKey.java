package dev.berth.controller.ssh;

import com.hierynomus.sshj.userauth.keyprovider.OpenSSHKeyV1KeyFile;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.userauth.keyprovider.FileKeyProvider;
import net.schmizz.sshj.userauth.keyprovider.KeyFormat;
import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import net.schmizz.sshj.userauth.keyprovider.KeyProviderUtil;
import net.schmizz.sshj.userauth.keyprovider.PKCS8KeyFile;
import net.schmizz.sshj.userauth.password.PasswordFinder;
import net.schmizz.sshj.userauth.password.Resource;

/**
 * A private key read from memory (a Secret's bytes), decrypted and parsed once. Supports ed25519, ECDSA and RSA in
 * OpenSSH ({@code BEGIN OPENSSH PRIVATE KEY}) and PEM (PKCS#1, SEC1, PKCS#8) formats, optionally encrypted.
 * {@link #toString()} shows the type and the public key's fingerprint only.
 */
public final class SshKey {

    private final KeyProvider provider;
    private final KeyType type;
    private final String publicKeyFingerprint;

    private SshKey(KeyProvider provider, KeyType type, String publicKeyFingerprint) {
        this.provider = provider;
        this.type = type;
        this.publicKeyFingerprint = publicKeyFingerprint;
    }

    /**
     * Reads a private key.
     *
     * @param keyBytes   the key file's bytes; not kept (the caller may clear them afterwards)
     * @param passphrase the passphrase of an encrypted key, or null; not kept
     */
    public static SshKey load(byte[] keyBytes, char[] passphrase) throws PrivateKeyException {
        SensitiveLoggers.silence();
        if (keyBytes == null || keyBytes.length == 0) {
            throw new PrivateKeyException("the private key is empty");
        }
        KeyFormat format;
        try {
            format = KeyProviderUtil.detectKeyFileFormat(reader(keyBytes), false);
        } catch (Exception e) {
            throw new PrivateKeyException("the private key's format could not be recognised");
        }
        FileKeyProvider file = switch (format) {
            case OpenSSHv1 -> new OpenSSHKeyV1KeyFile();
            case PKCS8, OpenSSH -> new PKCS8KeyFile();
            default -> throw new PrivateKeyException("unsupported private key format (" + format
                    + "); use an OpenSSH or PEM key (ed25519, ECDSA or RSA)");
        };
        OneShotPassword password = new OneShotPassword(passphrase);
        try {
            file.init(reader(keyBytes), password);
            PublicKey pub = file.getPublic();
            PrivateKey priv = file.getPrivate();
            if (pub == null || priv == null) {
                throw new PrivateKeyException("the private key could not be read");
            }
            KeyType type = KeyType.fromKey(pub);
            if (type != KeyType.ED25519 && type != KeyType.RSA && !type.toString().startsWith("ecdsa-")) {
                throw new PrivateKeyException("unsupported private key type " + type + "; use ed25519, ECDSA or RSA");
            }
            return new SshKey(new KeyPairWrapper(pub, priv), type, SshFingerprint.of(pub));
        } catch (PrivateKeyException e) {
            throw e;
        } catch (Exception e) {
            if (password.askedWithoutPassphrase) {
                throw new PrivateKeyException("the private key is encrypted and no passphrase was given "
                        + "(put it under the key 'passphrase' in the same Secret)");
            }
            if (password.asked) {
                throw new PrivateKeyException("the private key could not be decrypted: wrong passphrase?");
            }
            throw new PrivateKeyException("the private key could not be read (" + format + " format, "
                    + e.getClass().getSimpleName() + ")");
        } finally {
            password.clear();
        }
    }

    private static Reader reader(byte[] bytes) {
        return new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8);
    }

    /** For sshj's public-key authentication. */
    KeyProvider provider() {
        return provider;
    }

    /** e.g. {@code ssh-ed25519}, {@code ecdsa-sha2-nistp256}, {@code ssh-rsa}. */
    public String type() {
        return type.toString();
    }

    /** SHA256 fingerprint of the public half, safe to show (e.g. in the mirror). */
    public String publicKeyFingerprint() {
        return publicKeyFingerprint;
    }

    @Override
    public String toString() {
        return "SshKey[" + type + " " + publicKeyFingerprint + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SshKey other && other.publicKeyFingerprint.equals(publicKeyFingerprint);
    }

    @Override
    public int hashCode() {
        return publicKeyFingerprint.hashCode();
    }

    /** Hands the passphrase to the parser once, and remembers whether it was asked for. */
    private static final class OneShotPassword implements PasswordFinder {
        private final char[] passphrase;
        boolean asked;
        boolean askedWithoutPassphrase;

        OneShotPassword(char[] passphrase) {
            this.passphrase = passphrase == null || passphrase.length == 0 ? null : passphrase.clone();
        }

        @Override
        public char[] reqPassword(Resource<?> resource) {
            asked = true;
            if (passphrase == null) {
                askedWithoutPassphrase = true;
                return null;
            }
            return passphrase.clone();
        }

        @Override
        public boolean shouldRetry(Resource<?> resource) {
            return false;
        }

        void clear() {
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
    }
}
