package dev.berth.controller.validation;

import dev.berth.api.v1alpha1.Patterns;
import dev.berth.api.v1alpha1.ServerSpec;

/** The Server spec's rules, the CRD schema's and the cross-field ones (Pinned needs a fingerprint). */
public final class ServerSpecValidator {
    private static final String HOST = "^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$|^\\[[0-9A-Fa-f:.]+]$";

    private ServerSpecValidator() {
    }

    public static SpecViolations validate(ServerSpec spec) {
        SpecViolations v = new SpecViolations();
        if (spec == null) {
            return v.add("spec", "required");
        }
        if (v.required("spec.host", spec.getHost())) {
            v.matches("spec.host", spec.getHost(), HOST,
                    "a DNS name or an IP address, without scheme, user or port (those go in spec.user and spec.port)");
        }
        v.range("spec.port", spec.getPort(), 1, 65535);
        if (spec.getUser() != null) {
            v.matches("spec.user", spec.getUser(), "^[A-Za-z_][A-Za-z0-9_.-]*$", "a Unix user name");
        }
        FieldRules.secretKeyRef(v, "spec.privateKeySecretRef", spec.getPrivateKeySecretRef(), false);
        ServerSpec.HostKey hostKey = spec.getHostKey();
        if (hostKey != null) {
            FieldRules.knownValues(v, "spec.hostKey", hostKey);
            v.matches("spec.hostKey.fingerprint", hostKey.getFingerprint(), Patterns.FINGERPRINT,
                    "a SHA256 fingerprint as ssh-keygen -lf prints it (SHA256: and 43 base64 characters)");
            if (hostKey.getPolicy() == ServerSpec.HostKeyPolicy.Pinned && hostKey.getFingerprint() == null) {
                v.add("spec.hostKey.fingerprint", "required when spec.hostKey.policy is Pinned");
            }
        }
        ServerSpec.DockerSettings docker = spec.getDocker();
        if (docker != null) {
            v.matches("spec.docker.socketPath", docker.getSocketPath(), Patterns.ABSOLUTE_PATH, "an absolute path");
            v.matches("spec.docker.minVersion", docker.getMinVersion(), Patterns.VERSION,
                    "a version such as 20.10 or 24.0.7");
        }
        v.matches("spec.network", spec.getNetwork(), Patterns.DOCKER_NAME,
                "a Docker network name (letters, digits, '_', '.', '-')");
        v.range("spec.maxConcurrentOperations", spec.getMaxConcurrentOperations(), 1, 64);
        return v;
    }
}
