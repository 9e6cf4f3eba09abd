package dev.berth.controller.validation;

import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.Patterns;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Application spec's rules. Messages name fields, never values of env variables (a literal value may be
 * something a person would rather not see repeated in status and Events).
 */
public final class ApplicationSpecValidator {
    /** registry[:port]/path[:tag][@digest], loosely: what Docker accepts, without whitespace or a leading separator. */
    static final String IMAGE = "^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$";
    private static final String IP = "^([0-9]{1,3}\\.){3}[0-9]{1,3}$|^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$";
    private static final String DOMAIN = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    private ApplicationSpecValidator() {
    }

    public static SpecViolations validate(ApplicationSpec spec) {
        SpecViolations v = new SpecViolations();
        if (spec == null) {
            return v.add("spec", "required");
        }
        FieldRules.knownValues(v, "spec", spec);
        FieldRules.localRef(v, "spec.serverRef", spec.getServerRef(), true);
        if (v.required("spec.image", spec.getImage())) {
            v.matches("spec.image", spec.getImage(), IMAGE, "an image reference such as registry.example.com/shop/web:1.4.2");
        }
        FieldRules.localRef(v, "spec.imagePullSecretRef", spec.getImagePullSecretRef(), false);
        env(v, spec.getEnv());
        envFrom(v, spec.getEnvFrom());
        ports(v, spec);
        volumes(v, spec.getVolumes());
        FieldRules.resources(v, "spec.resources", spec.getResources());
        FieldRules.healthCheck(v, "spec.healthCheck", spec.getHealthCheck(),
                spec.getPorts() != null && !spec.getPorts().isEmpty());
        v.range("spec.replicas", spec.getReplicas(), 0, 100);
        labels(v, spec.getLabels());
        List<String> domains = spec.getDomains() == null ? List.of() : spec.getDomains();
        for (int i = 0; i < domains.size(); i++) {
            if (v.required("spec.domains[" + i + "]", domains.get(i))) {
                v.matches("spec.domains[" + i + "]", domains.get(i), DOMAIN, "a lowercase domain name such as shop.example.com");
            }
        }
        if (spec.getRollout() != null) {
            FieldRules.knownValues(v, "spec.rollout", spec.getRollout());
            FieldRules.duration(v, "spec.rollout.healthTimeout", spec.getRollout().getHealthTimeout());
        }
        return v;
    }

    private static void env(SpecViolations v, List<ApplicationSpec.EnvVar> env) {
        if (env == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < env.size(); i++) {
            String f = "spec.env[" + i + "]";
            ApplicationSpec.EnvVar e = env.get(i);
            if (e == null) {
                v.add(f, "must not be null");
                continue;
            }
            if (v.required(f + ".name", e.getName())) {
                v.matches(f + ".name", e.getName(), Patterns.ENV_NAME, "a variable name (letters, digits, '_'; not starting with a digit)");
                if (!seen.add(e.getName())) {
                    v.add(f + ".name", "duplicate variable " + e.getName());
                }
            }
            if (e.getValue() != null && e.getValueFrom() != null) {
                v.add(f, "exactly one of value and valueFrom must be set");
            }
            ApplicationSpec.EnvVarSource from = e.getValueFrom();
            if (from != null) {
                v.exactlyOne(f + ".valueFrom", "secretKeyRef", from.getSecretKeyRef(), "configMapKeyRef", from.getConfigMapKeyRef());
                if (from.getSecretKeyRef() != null) {
                    FieldRules.secretKeyRef(v, f + ".valueFrom.secretKeyRef", from.getSecretKeyRef(), true);
                }
                if (from.getConfigMapKeyRef() != null) {
                    FieldRules.secretKeyRef(v, f + ".valueFrom.configMapKeyRef", from.getConfigMapKeyRef(), true);
                }
            }
        }
    }

    private static void envFrom(SpecViolations v, List<ApplicationSpec.EnvFromSource> envFrom) {
        if (envFrom == null) {
            return;
        }
        for (int i = 0; i < envFrom.size(); i++) {
            String f = "spec.envFrom[" + i + "]";
            ApplicationSpec.EnvFromSource e = envFrom.get(i);
            if (e == null) {
                v.add(f, "must not be null");
                continue;
            }
            v.exactlyOne(f, "secretRef", e.getSecretRef(), "configMapRef", e.getConfigMapRef());
            FieldRules.localRef(v, f + ".secretRef", e.getSecretRef(), false);
            FieldRules.localRef(v, f + ".configMapRef", e.getConfigMapRef(), false);
            if (e.getPrefix() != null && !e.getPrefix().isEmpty()) {
                v.matches(f + ".prefix", e.getPrefix(), "^[A-Za-z_][A-Za-z0-9_]*$", "a variable name prefix (letters, digits, '_')");
            }
        }
    }

    private static void ports(SpecViolations v, ApplicationSpec spec) {
        List<ApplicationSpec.PortMapping> ports = spec.getPorts();
        if (ports == null) {
            return;
        }
        Set<String> hostPorts = new HashSet<>();
        Set<String> containerPorts = new HashSet<>();
        boolean publishes = false;
        for (int i = 0; i < ports.size(); i++) {
            String f = "spec.ports[" + i + "]";
            ApplicationSpec.PortMapping p = ports.get(i);
            if (p == null) {
                v.add(f, "must not be null");
                continue;
            }
            FieldRules.knownValues(v, f, p);
            String protocol = p.getProtocol() != null ? p.getProtocol().dockerName()
                    : p.unknownValues().containsKey("protocol") ? p.unknownValues().get("protocol").text() : "tcp";
            if (v.required(f + ".containerPort", p.getContainerPort())) {
                v.range(f + ".containerPort", p.getContainerPort(), 1, 65535);
                if (!containerPorts.add(p.getContainerPort() + "/" + protocol)) {
                    v.add(f + ".containerPort", "duplicate port " + p.getContainerPort() + "/" + protocol);
                }
            }
            v.range(f + ".hostPort", p.getHostPort(), 1, 65535);
            v.matches(f + ".hostIP", p.getHostIP(), IP, "an IPv4 or IPv6 address");
            if (p.getHostIP() != null && p.getHostPort() == null) {
                v.add(f + ".hostIP", "only allowed together with hostPort");
            }
            if (p.getHostPort() != null) {
                publishes = true;
                String key = (p.getHostIP() == null ? "*" : p.getHostIP()) + ":" + p.getHostPort() + "/" + protocol;
                if (!hostPorts.add(key)) {
                    v.add(f + ".hostPort", "host port " + p.getHostPort() + "/" + protocol + " is published twice");
                }
            }
        }
        if (publishes && spec.getReplicas() != null && spec.getReplicas() > 1) {
            v.add("spec.replicas", "must be 0 or 1 when a port is published on the host (spec.ports[].hostPort): "
                    + "two containers cannot hold the same host port");
        }
    }

    private static void volumes(SpecViolations v, List<ApplicationSpec.VolumeMount> volumes) {
        if (volumes == null) {
            return;
        }
        Set<String> mountPaths = new HashSet<>();
        for (int i = 0; i < volumes.size(); i++) {
            String f = "spec.volumes[" + i + "]";
            ApplicationSpec.VolumeMount m = volumes.get(i);
            if (m == null) {
                v.add(f, "must not be null");
                continue;
            }
            v.exactlyOne(f, "name", m.getName(), "hostPath", m.getHostPath());
            v.matches(f + ".name", m.getName(), Patterns.DOCKER_NAME, "a Docker volume name (letters, digits, '_', '.', '-')");
            v.matches(f + ".hostPath", m.getHostPath(), Patterns.ABSOLUTE_PATH, "an absolute path");
            if (v.required(f + ".mountPath", m.getMountPath())) {
                v.matches(f + ".mountPath", m.getMountPath(), Patterns.ABSOLUTE_PATH, "an absolute path");
                if (!mountPaths.add(m.getMountPath())) {
                    v.add(f + ".mountPath", "mounted twice at " + m.getMountPath());
                }
            }
        }
    }

    private static void labels(SpecViolations v, Map<String, String> labels) {
        if (labels == null) {
            return;
        }
        labels.keySet().stream().sorted().forEach(key -> {
            if (key == null || key.isBlank()) {
                v.add("spec.labels", "keys must not be empty");
            } else if (key.startsWith("berth.dev/")) {
                v.add("spec.labels[" + key + "]", "keys under berth.dev/ are reserved for Berth");
            }
        });
    }
}
