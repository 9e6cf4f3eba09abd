package dev.berth.controller.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import com.hierynomus.sshj.transport.cipher.BlockCiphers;
import com.hierynomus.sshj.transport.mac.Macs;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.common.Factory;
import net.schmizz.sshj.transport.cipher.Cipher;
import net.schmizz.sshj.transport.mac.MAC;
import org.junit.jupiter.api.Test;

/**
 * The JDK-computed ciphers and MACs produce exactly what sshj's own (Bouncy Castle) ones do, so either end can be
 * either; and they are what Berth's SSH clients offer first.
 */
class JdkCryptoTest {

    private final Random random = new Random(42);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void aesCtrEncryptsAsSshjsOwnAndDecryptsItsOwnOutput() {
        List<Factory.Named<Cipher>> ours = JdkCrypto.ciphers(JdkCrypto.provider());
        List<Factory.Named<Cipher>> sshj = List.of(BlockCiphers.AES128CTR(), BlockCiphers.AES192CTR(),
                BlockCiphers.AES256CTR());
        for (int i = 0; i < ours.size(); i++) {
            assertThat(ours.get(i).getName()).isEqualTo(sshj.get(i).getName());
            // Key exchange hands over more key and IV bytes than needed (SHA-512 output): both use the first ones.
            byte[] key = bytes(64);
            byte[] iv = bytes(64);
            // SSH packets are whole cipher blocks (padded), so that is all either is ever given.
            byte[] plain = bytes(16 * 313);

            Cipher jdk = ours.get(i).create();
            Cipher bc = sshj.get(i).create();
            assertThat(jdk.getBlockSize()).isEqualTo(bc.getBlockSize());
            assertThat(jdk.getIVSize()).isEqualTo(bc.getIVSize());
            jdk.init(Cipher.Mode.Encrypt, key.clone(), iv.clone());
            bc.init(Cipher.Mode.Encrypt, key.clone(), iv.clone());
            byte[] a = plain.clone();
            byte[] b = plain.clone();
            // Packets arrive piecewise (the first block, then the rest): the counter carries across updates.
            jdk.update(a, 0, 16);
            jdk.update(a, 16, a.length - 16);
            bc.update(b, 0, b.length);
            assertThat(a).as(ours.get(i).getName()).isEqualTo(b).isNotEqualTo(plain);

            Cipher back = ours.get(i).create();
            back.init(Cipher.Mode.Decrypt, key.clone(), iv.clone());
            back.update(a, 0, a.length);
            assertThat(a).isEqualTo(plain);
        }
    }

    @Test
    void hmacsComputeWhatSshjsOwnDo() {
        List<Factory.Named<MAC>> ours = JdkCrypto.macs(JdkCrypto.provider());
        List<Factory.Named<MAC>> sshj = List.of(Macs.HMACSHA2256Etm(), Macs.HMACSHA2512Etm(), Macs.HMACSHA2256(),
                Macs.HMACSHA2512());
        for (int i = 0; i < ours.size(); i++) {
            assertThat(ours.get(i).getName()).isEqualTo(sshj.get(i).getName());
            byte[] key = bytes(64);
            byte[] packet = bytes(3000);
            MAC jdk = ours.get(i).create();
            MAC bc = sshj.get(i).create();
            assertThat(jdk.getBlockSize()).isEqualTo(bc.getBlockSize());
            assertThat(jdk.isEtm()).isEqualTo(bc.isEtm());
            jdk.init(key.clone());
            bc.init(key.clone());
            for (long seq : new long[] {0, 7, 0xFFFF_FFFFL}) {
                jdk.update(seq);
                jdk.update(packet, 0, packet.length);
                bc.update(seq);
                bc.update(packet, 0, packet.length);
                byte[] out = new byte[jdk.getBlockSize() + 3];
                jdk.doFinal(out, 3);
                assertThat(Arrays.copyOfRange(out, 3, out.length)).as(ours.get(i).getName()).isEqualTo(bc.doFinal());
            }
            assertThat(jdk.doFinal(packet)).isEqualTo(bc.doFinal(packet));
        }
    }

    @Test
    void berthsClientsOfferTheJdkOnesFirstAndKeepSshjsOthers() {
        DefaultConfig config = SshClientConfig.create();
        Factory.Named<Cipher> firstCipher = config.getCipherFactories().get(0);
        assertThat(firstCipher.getName()).isEqualTo("aes128-ctr");
        assertThat(firstCipher.create()).isInstanceOf(JdkCrypto.CtrCipher.class);
        Factory.Named<MAC> firstMac = config.getMACFactories().get(0);
        assertThat(firstMac.getName()).isEqualTo("hmac-sha2-256-etm@openssh.com");
        assertThat(firstMac.create()).isInstanceOf(JdkCrypto.JdkMac.class);
        // Everything else sshj offers is still offered, once: a host that wants GCM or chacha20 still gets it.
        assertThat(config.getCipherFactories()).extracting(Factory.Named::getName)
                .contains("aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com")
                .doesNotHaveDuplicates()
                .hasSameSizeAs(new DefaultConfig().getCipherFactories());
        assertThat(config.getMACFactories()).extracting(Factory.Named::getName)
                .doesNotHaveDuplicates()
                .hasSameSizeAs(new DefaultConfig().getMACFactories());
    }
}
