package dev.berth.controller.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.api.v1alpha1.ServerSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class ServerSpecValidatorTest {
    static ServerSpec valid() {
        ServerSpec spec = new ServerSpec();
        spec.setHost("10.213.1.2");
        spec.setPrivateKeySecretRef(new SecretKeyRef("h1-key", null));
        return spec;
    }

    @Test
    void aMinimalSpecWithDefaultsIsValid() {
        assertThat(ServerSpecValidator.validate(valid()).problems()).isEmpty();
    }

    @Test
    void missingHostAndKeyAreNamed() {
        ServerSpec spec = new ServerSpec();
        assertThat(ServerSpecValidator.validate(spec).problems())
                .containsExactly("spec.host: required", "spec.privateKeySecretRef: required");
    }

    @Test
    void portOutOfRange() {
        ServerSpec spec = valid();
        spec.setPort(70000);
        assertThat(ServerSpecValidator.validate(spec).message())
                .isEqualTo("Invalid spec: spec.port: must be between 1 and 65535 (got 70000)");
    }

    @Test
    void pinnedNeedsAFingerprintAndFingerprintsAreChecked() {
        ServerSpec spec = valid();
        spec.getHostKey().setPolicy(ServerSpec.HostKeyPolicy.Pinned);
        assertThat(ServerSpecValidator.validate(spec).problems())
                .containsExactly("spec.hostKey.fingerprint: required when spec.hostKey.policy is Pinned");

        spec.getHostKey().setFingerprint("MD5:aa:bb");
        assertThat(ServerSpecValidator.validate(spec).problems()).singleElement().asString()
                .startsWith("spec.hostKey.fingerprint: must be a SHA256 fingerprint");

        spec.getHostKey().setFingerprint("SHA256:" + "A".repeat(43));
        assertThat(ServerSpecValidator.validate(spec).isEmpty()).isTrue();
    }

    @Test
    void hostWithUserOrSchemeIsRejected() {
        ServerSpec spec = valid();
        spec.setHost("root@example.com");
        assertThat(ServerSpecValidator.validate(spec).problems()).singleElement().asString().startsWith("spec.host:");
        spec.setHost("ssh://example.com");
        assertThat(ServerSpecValidator.validate(spec).isEmpty()).isFalse();
        spec.setHost("host-1.example.com");
        assertThat(ServerSpecValidator.validate(spec).isEmpty()).isTrue();
    }

    @Test
    void dockerSettingsNetworkAndConcurrency() {
        ServerSpec spec = valid();
        spec.getDocker().setSocketPath("var/run/docker.sock");
        spec.getDocker().setMinVersion("twenty");
        spec.setNetwork("bad network");
        spec.setMaxConcurrentOperations(0);
        assertThat(ServerSpecValidator.validate(spec).problems()).extracting(p -> p.substring(0, p.indexOf(':')))
                .containsExactly("spec.docker.socketPath", "spec.docker.minVersion", "spec.network",
                        "spec.maxConcurrentOperations");
    }

    /** Read as the informer reads a stored resource: JSON written against another version of the CRD. */
    @Test
    void aHostKeyPolicyThisVersionDoesNotKnowIsNamedNotFatal() {
        ServerSpec spec = new KubernetesSerialization().unmarshal("{\"host\":\"10.213.1.2\","
                + "\"privateKeySecretRef\":{\"name\":\"h1-key\"},\"hostKey\":{\"policy\":\"AcceptAnything\"}}",
                ServerSpec.class);
        assertThat(ServerSpecValidator.validate(spec).problems()).containsExactly("spec.hostKey.policy: 'AcceptAnything' "
                + "is not a value this version of Berth knows (one of Pinned, TrustOnFirstUse)");
    }
}
