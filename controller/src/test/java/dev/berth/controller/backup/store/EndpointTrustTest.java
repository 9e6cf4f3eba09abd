package dev.berth.controller.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;

class EndpointTrustTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryCertificateOfABundleAndTrustsOnlyThose() throws Exception {
        TestCa one = TestCa.create(dir, "ca-one");
        TestCa two = TestCa.create(dir, "ca-two");
        EndpointTrust trust = EndpointTrust.fromPem(one.certificatePem() + "\n" + two.certificatePem());
        assertThat(trust.authorities()).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=ca-one", "CN=ca-two");
        assertThat(trust.usesPublicCas()).isFalse();
        X509TrustManager manager = (X509TrustManager) trust.trustManagers()[0];
        assertThat(manager.getAcceptedIssuers()).hasSize(2);
        assertThat(EndpointTrust.PUBLIC_CAS.usesPublicCas()).isTrue();
    }

    @Test
    void aKeyWithoutACertificateIsRefusedSayingWhy() {
        assertThatThrownBy(() -> EndpointTrust.fromPem("not a certificate"))
                .hasMessage("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        assertThatThrownBy(() -> EndpointTrust.fromPem(null))
                .hasMessage("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        assertThatThrownBy(() -> EndpointTrust.fromPem("-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n"
                + "-----END CERTIFICATE-----\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("holds a certificate that cannot be read");
    }

    @Test
    void aHandshakeFailureGetsAHintOtherFailuresNone() {
        var handshake = SdkClientException.create("Unable to execute HTTP request: PKIX path building failed",
                new SSLHandshakeException("PKIX path building failed"));
        assertThat(EndpointTrust.PUBLIC_CAS.hint(handshake)).contains("spec.destination.s3.endpointCA");
        assertThat(EndpointTrust.PUBLIC_CAS.hint(SdkClientException.create("Connection refused"))).isEmpty();
    }
}
