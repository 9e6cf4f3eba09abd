package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.Data;
import lombok.EqualsAndHashCode;

@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServerSpec {
    @Required
    @JsonPropertyDescription("Address of the host: a DNS name or an IP address.")
    private String host;

    @Default("22")
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("SSH port.")
    private Integer port = 22;

    @Default("root")
    @JsonPropertyDescription("SSH user; it must be able to use the Docker socket.")
    private String user = "root";

    @Required
    @JsonPropertyDescription("The Secret (type kubernetes.io/ssh-auth) holding the private key; key defaults to ssh-privatekey. "
            + "A key named passphrase in the same Secret unlocks an encrypted key.")
    private SecretKeyRef privateKeySecretRef;

    @JsonPropertyDescription("How the host's SSH key is verified.")
    private HostKey hostKey = new HostKey();

    @JsonPropertyDescription("Where and which Docker engine to expect on the host.")
    private DockerSettings docker = new DockerSettings();

    @Default("berth")
    @Pattern(Patterns.DOCKER_NAME)
    @JsonPropertyDescription("The Docker network Berth attaches workloads to; created if missing.")
    private String network = "berth";

    @Default("8")
    @Min(1)
    @Max(64)
    @JsonPropertyDescription("Upper bound on concurrent SSH channels (Docker API calls, execs) to this host. "
            + "Keep it below sshd's MaxSessions (10 by default).")
    private Integer maxConcurrentOperations = 8;

    @Default("false")
    @JsonPropertyDescription("Stop all operations on this host.")
    private Boolean suspend = false;

    @Data
    @EqualsAndHashCode(callSuper = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HostKey extends EnumFields {
        @Default("TrustOnFirstUse")
        @JsonPropertyDescription("Pinned accepts only the fingerprint given; TrustOnFirstUse records the first key seen "
                + "in status and rejects any other afterwards.")
        private HostKeyPolicy policy = HostKeyPolicy.TrustOnFirstUse;

        @Pattern(Patterns.FINGERPRINT)
        @JsonPropertyDescription("SHA256 fingerprint of the host key, as ssh-keygen -lf prints it (SHA256:...). "
                + "Required with policy Pinned.")
        private String fingerprint;
    }

    @JsonDeserialize(using = TolerantEnumDeserializer.class)
    public enum HostKeyPolicy {
        Pinned, TrustOnFirstUse
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class DockerSettings {
        @Default("/var/run/docker.sock")
        @Pattern(Patterns.ABSOLUTE_PATH)
        @JsonPropertyDescription("Path of the Docker socket on the host.")
        private String socketPath = "/var/run/docker.sock";

        @Pattern(Patterns.VERSION)
        @JsonPropertyDescription("Oldest Docker Engine version accepted, e.g. 20.10.")
        private String minVersion;
    }
}
