package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lombok.Data;
import lombok.EqualsAndHashCode;

@Data
@EqualsAndHashCode(callSuper = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApplicationSpec extends EnumFields {
    @Required
    @JsonPropertyDescription("The Server to deploy onto.")
    private LocalRef serverRef;

    @Required
    @JsonPropertyDescription("Container image, e.g. registry.example.com/shop/web:1.4.2.")
    private String image;

    @JsonPropertyDescription("A Secret of type kubernetes.io/dockerconfigjson used to pull the image.")
    private LocalRef imagePullSecretRef;

    @JsonPropertyDescription("Overrides the image's entrypoint.")
    private List<String> command;

    @JsonPropertyDescription("Overrides the image's command (arguments to the entrypoint).")
    private List<String> args;

    @JsonPropertyDescription("Environment variables: a literal value, or a key of a Secret or ConfigMap resolved at deploy time.")
    private List<EnvVar> env = new ArrayList<>();

    @JsonPropertyDescription("Every key of a Secret or ConfigMap as environment variables.")
    private List<EnvFromSource> envFrom = new ArrayList<>();

    @JsonPropertyDescription("Ports the container listens on, optionally published on the host.")
    private List<PortMapping> ports = new ArrayList<>();

    @JsonPropertyDescription("Named Docker volumes or host paths mounted into the container.")
    private List<VolumeMount> volumes = new ArrayList<>();

    @JsonPropertyDescription("Memory and CPU limits.")
    private Resources resources;

    @JsonPropertyDescription("How Berth decides a container is healthy.")
    private HealthCheck healthCheck;

    @Default("1")
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Number of containers to run.")
    private Integer replicas = 1;

    @Default("unless-stopped")
    @JsonPropertyDescription("Docker restart policy.")
    private RestartPolicy restartPolicy = RestartPolicy.UNLESS_STOPPED;

    @JsonPropertyDescription("Extra Docker labels on the containers (keys under berth.dev/ are reserved).")
    private Map<String, String> labels = new LinkedHashMap<>();

    @JsonPropertyDescription("Domains routed to this application by the Server's reverse proxy (Traefik labels).")
    private List<String> domains = new ArrayList<>();

    @JsonPropertyDescription("How a change is rolled out.")
    private Rollout rollout = new Rollout();

    @Default("false")
    @JsonPropertyDescription("Stop the containers (and keep them) while true.")
    private Boolean suspend = false;

    @JsonDeserialize(using = TolerantEnumDeserializer.class)
    public enum RestartPolicy {
        @com.fasterxml.jackson.annotation.JsonProperty("no") NO,
        @com.fasterxml.jackson.annotation.JsonProperty("always") ALWAYS,
        @com.fasterxml.jackson.annotation.JsonProperty("unless-stopped") UNLESS_STOPPED,
        @com.fasterxml.jackson.annotation.JsonProperty("on-failure") ON_FAILURE
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class EnvVar {
        @Required
        @Pattern(Patterns.ENV_NAME)
        @JsonPropertyDescription("Variable name.")
        private String name;
        @JsonPropertyDescription("Literal value.")
        private String value;
        @JsonPropertyDescription("Take the value from a Secret or ConfigMap key instead.")
        private EnvVarSource valueFrom;
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class EnvVarSource {
        @JsonPropertyDescription("A key of a Secret in the same namespace.")
        private SecretKeyRef secretKeyRef;
        @JsonPropertyDescription("A key of a ConfigMap in the same namespace.")
        private SecretKeyRef configMapKeyRef;
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class EnvFromSource {
        @JsonPropertyDescription("A Secret whose keys all become variables.")
        private LocalRef secretRef;
        @JsonPropertyDescription("A ConfigMap whose keys all become variables.")
        private LocalRef configMapRef;
        @JsonPropertyDescription("Prefix added to every variable name.")
        private String prefix;
    }

    @Data
    @EqualsAndHashCode(callSuper = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PortMapping extends EnumFields {
        @Required
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("Port inside the container.")
        private Integer containerPort;
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("Publish on this host port (then the rollout is stop-then-start).")
        private Integer hostPort;
        @JsonPropertyDescription("Host address to bind the published port to (default all).")
        private String hostIP;
        @Default("TCP")
        @SchemaFrom(type = ProtocolSpelling.class)
        @JsonPropertyDescription("TCP or UDP, as in Kubernetes manifests; Docker's tcp and udp are accepted too.")
        private Protocol protocol = Protocol.TCP;
    }

    @JsonDeserialize(using = TolerantEnumDeserializer.class)
    public enum Protocol {
        @JsonAlias("tcp") TCP,
        @JsonAlias("udp") UDP;

        /** Docker's spelling, as in 8080/tcp. */
        public String dockerName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The spellings the CRD schema accepts for {@link PortMapping#protocol}: Kubernetes' and Docker's. */
    public enum ProtocolSpelling {
        TCP, UDP, tcp, udp
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class VolumeMount {
        @Pattern(Patterns.DOCKER_NAME)
        @JsonPropertyDescription("A named Docker volume (created if missing). Exactly one of name and hostPath.")
        private String name;
        @Pattern(Patterns.ABSOLUTE_PATH)
        @JsonPropertyDescription("A directory on the host. Exactly one of name and hostPath.")
        private String hostPath;
        @Required
        @Pattern(Patterns.ABSOLUTE_PATH)
        @JsonPropertyDescription("Where it is mounted in the container.")
        private String mountPath;
        @Default("false")
        @JsonPropertyDescription("Mount read-only.")
        private Boolean readOnly = false;
        @Default("false")
        @JsonPropertyDescription("Remove the named volume (and its data) when the Application is deleted. "
                + "Host paths are never removed.")
        private Boolean deleteOnRemove = false;
    }

    @Data
    @EqualsAndHashCode(callSuper = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Rollout extends EnumFields {
        @Default("Rolling")
        @JsonPropertyDescription("Rolling starts new containers beside the old and removes the old once the new are healthy; "
                + "Recreate stops the old first. Applications publishing host ports always stop then start.")
        private Strategy strategy = Strategy.Rolling;
        @Default("5m")
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("How long new containers may take to become healthy before the rollout fails.")
        private String healthTimeout = "5m";
        @Default("10")
        @Min(0)
        @Max(3600)
        @JsonPropertyDescription("Seconds a container taken out of service (replaced, scaled away, suspended or deleted) "
                + "keeps running for the requests it has before it gets its stop signal. New requests go elsewhere "
                + "from the start of this period.")
        private Integer drainSeconds = 10;
    }

    @JsonDeserialize(using = TolerantEnumDeserializer.class)
    public enum Strategy {
        Rolling, Recreate
    }
}
