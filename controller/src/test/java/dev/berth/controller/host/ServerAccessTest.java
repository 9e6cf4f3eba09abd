package dev.berth.controller.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.controller.server.ServerReasons;
import dev.berth.controller.ssh.HostKeyPolicy;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of {@link ServerAccess}: the host-key policy a Server asks for, and when Berth refuses it. */
class ServerAccessTest {
    static final String SPEC_FP = "SHA256:4k699Qc2NOejswtx+OBeeRnKGgr0PI7DJXQe7fRrJ6w";
    static final String STATUS_FP = "SHA256:OdaqfjByTQTARfecANU9dDYZXtGYZonr/qII2eiuGdU";

    static Server server(ServerSpec.HostKeyPolicy policy, String specFp, String statusFp) {
        Server s = new Server();
        s.setMetadata(new ObjectMetaBuilder().withName("h1").withNamespace("ns").withGeneration(3L).build());
        ServerSpec spec = new ServerSpec();
        spec.setHost("10.0.0.1");
        spec.setPrivateKeySecretRef(new SecretKeyRef("k", null));
        spec.getHostKey().setPolicy(policy);
        spec.getHostKey().setFingerprint(specFp);
        s.setSpec(spec);
        if (statusFp != null) {
            ServerStatus status = new ServerStatus();
            status.setHostKeyFingerprint(statusFp);
            s.setStatus(status);
        }
        return s;
    }

    @Test
    void pinnedUsesTheSpecFingerprint() {
        HostKeyPolicy p = ServerAccess.hostKeyPolicy(server(ServerSpec.HostKeyPolicy.Pinned, SPEC_FP, STATUS_FP));
        assertThat(p).isEqualTo(HostKeyPolicy.pinned(SPEC_FP));
    }

    @Test
    void trustOnFirstUse_specFingerprintWins_thenTheRecordedOne_thenNone() {
        assertThat(ServerAccess.hostKeyPolicy(server(ServerSpec.HostKeyPolicy.TrustOnFirstUse, SPEC_FP, STATUS_FP)))
                .isEqualTo(HostKeyPolicy.trustOnFirstUse(SPEC_FP));
        assertThat(ServerAccess.hostKeyPolicy(server(ServerSpec.HostKeyPolicy.TrustOnFirstUse, null, STATUS_FP)))
                .isEqualTo(HostKeyPolicy.trustOnFirstUse(STATUS_FP));
        assertThat(ServerAccess.hostKeyPolicy(server(ServerSpec.HostKeyPolicy.TrustOnFirstUse, null, null)))
                .isEqualTo(HostKeyPolicy.trustOnFirstUse(null));
    }

    @Test
    void aRefusedHostKeyIsRefusedUntilTheSpecChanges() {
        Server s = server(ServerSpec.HostKeyPolicy.TrustOnFirstUse, null, STATUS_FP);
        assertThat(ServerAccess.hostKeyRefusal(s)).isEmpty();
        s.getStatus().setObservedGeneration(3L);
        s.getStatus().setConditions(List.of(new Condition(Berth.CONDITION_READY, Condition.FALSE,
                ServerReasons.HOST_KEY_MISMATCH, "presented host key X", "2026-11-26T10:00:00Z", 3L)));
        assertThat(ServerAccess.hostKeyRefusal(s)).contains("presented host key X");
        s.getMetadata().setGeneration(4L); // a person edited the spec
        assertThat(ServerAccess.hostKeyRefusal(s)).isEmpty();
    }

    @Test
    void hostIdIsNamespaceSlashName() {
        assertThat(ServerAccess.hostId(server(ServerSpec.HostKeyPolicy.Pinned, SPEC_FP, null))).isEqualTo("ns/h1");
    }
}
