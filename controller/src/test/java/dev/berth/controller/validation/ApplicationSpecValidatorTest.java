package dev.berth.controller.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.HealthCheck;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.Resources;
import dev.berth.api.v1alpha1.SecretKeyRef;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApplicationSpecValidatorTest {
    static ApplicationSpec valid() {
        ApplicationSpec spec = new ApplicationSpec();
        spec.setServerRef(new LocalRef("h1"));
        spec.setImage("berth-test/httpd:1");
        return spec;
    }

    private static List<String> fields(ApplicationSpec spec) {
        return ApplicationSpecValidator.validate(spec).problems().stream().map(p -> p.substring(0, p.indexOf(": "))).toList();
    }

    @Test
    void minimalSpecIsValid() {
        assertThat(ApplicationSpecValidator.validate(valid()).problems()).isEmpty();
    }

    @Test
    void requiredFields() {
        assertThat(ApplicationSpecValidator.validate(new ApplicationSpec()).problems())
                .containsExactly("spec.serverRef: required", "spec.image: required");
    }

    @Test
    void volumeNeedsExactlyOneOfNameAndHostPath() {
        ApplicationSpec spec = valid();
        ApplicationSpec.VolumeMount both = new ApplicationSpec.VolumeMount();
        both.setName("data");
        both.setHostPath("/srv/data");
        both.setMountPath("/data");
        ApplicationSpec.VolumeMount neither = new ApplicationSpec.VolumeMount();
        neither.setMountPath("/other");
        spec.setVolumes(List.of(both, neither));
        assertThat(ApplicationSpecValidator.validate(spec).problems()).containsExactly(
                "spec.volumes[0]: exactly one of name and hostPath must be set",
                "spec.volumes[1]: exactly one of name and hostPath must be set");
    }

    @Test
    void envRulesNameFieldsButNeverEchoValues() {
        ApplicationSpec spec = valid();
        ApplicationSpec.EnvVar bad = new ApplicationSpec.EnvVar();
        bad.setName("1BAD");
        bad.setValue("hunter2-literal");
        ApplicationSpec.EnvVar both = new ApplicationSpec.EnvVar();
        both.setName("TOKEN");
        both.setValue("hunter2-literal");
        ApplicationSpec.EnvVarSource from = new ApplicationSpec.EnvVarSource();
        from.setSecretKeyRef(new SecretKeyRef("app-secret", null));
        both.setValueFrom(from);
        spec.setEnv(List.of(bad, both));

        var violations = ApplicationSpecValidator.validate(spec);
        assertThat(fields(spec)).containsExactly("spec.env[0].name", "spec.env[1]", "spec.env[1].valueFrom.secretKeyRef.key");
        assertThat(violations.message()).doesNotContain("hunter2");
    }

    @Test
    void portsAndReplicas() {
        ApplicationSpec spec = valid();
        ApplicationSpec.PortMapping p = new ApplicationSpec.PortMapping();
        p.setContainerPort(8080);
        p.setHostPort(18080);
        p.setHostIP("not-an-ip");
        spec.setPorts(List.of(p));
        spec.setReplicas(2);
        assertThat(fields(spec)).containsExactly("spec.ports[0].hostIP", "spec.replicas");
    }

    @Test
    void healthCheckResourcesLabelsDomainsAndRollout() {
        ApplicationSpec spec = valid();
        HealthCheck check = new HealthCheck();
        check.setType(HealthCheck.Type.http);
        check.setInterval("10 seconds");
        spec.setHealthCheck(check);
        Resources r = new Resources();
        r.setMemory("lots");
        spec.setResources(r);
        spec.getLabels().put("berth.dev/app", "x");
        spec.setDomains(List.of("Shop.Example.com"));
        spec.getRollout().setHealthTimeout("soon");
        assertThat(fields(spec)).containsExactly("spec.resources.memory", "spec.healthCheck.interval",
                "spec.healthCheck.port", "spec.labels[berth.dev/app]", "spec.domains[0]", "spec.rollout.healthTimeout");
    }

    /** Read as the informer reads a stored resource: JSON written against another version of the CRD. */
    private static ApplicationSpec read(String json) {
        return new KubernetesSerialization().unmarshal(json, ApplicationSpec.class);
    }

    @Test
    void everyEnumValueThisVersionDoesNotKnowIsNamedNotFatal() {
        ApplicationSpec spec = read("{\"serverRef\":{\"name\":\"h1\"},\"image\":\"web:1\",\"restartPolicy\":\"sometimes\","
                + "\"ports\":[{\"containerPort\":8080},{\"containerPort\":9000,\"protocol\":\"SCTP\"}],"
                + "\"healthCheck\":{\"type\":\"grpc\",\"port\":9000},\"rollout\":{\"strategy\":\"BlueGreen\"}}");
        assertThat(ApplicationSpecValidator.validate(spec).problems()).containsExactly(
                "spec.restartPolicy: 'sometimes' is not a value this version of Berth knows (one of no, always, unless-stopped, on-failure)",
                "spec.ports[1].protocol: 'SCTP' is not a value this version of Berth knows (one of TCP, tcp, UDP, udp)",
                "spec.healthCheck.type: 'grpc' is not a value this version of Berth knows (one of http, tcp, command, none)",
                "spec.rollout.strategy: 'BlueGreen' is not a value this version of Berth knows (one of Rolling, Recreate)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TCP", "UDP", "tcp", "udp"})
    void protocolTakesKubernetesAndDockerSpellings(String protocol) {
        ApplicationSpec spec = read("{\"serverRef\":{\"name\":\"h1\"},\"image\":\"web:1\","
                + "\"ports\":[{\"containerPort\":53,\"protocol\":\"" + protocol + "\"}]}");
        assertThat(ApplicationSpecValidator.validate(spec).problems()).isEmpty();
        assertThat(spec.getPorts().get(0).getProtocol().dockerName()).isEqualTo(protocol.toLowerCase());
    }
}
