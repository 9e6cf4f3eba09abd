package dev.berth.controller.application;

import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.SecretKeyRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Resolves an Application's {@code env} and {@code envFrom} against the Secrets and ConfigMaps of its namespace,
 * given as lookups (name → decoded data, empty when the object does not exist). Pure: the reconciler passes its
 * informer caches. As in Kubernetes, {@code envFrom} comes first and {@code env} overrides it.
 *
 * <p>{@link #missing()} names what could not be found (object and key, never a value), for a condition message.
 */
public record EnvResolution(ResolvedEnv env, List<String> missing, Set<String> secretValues) {

    /**
     * @param secretValues the values that came from Secrets: never printed, used only to blank them out of text
     *     that comes back from the host (Docker errors, container logs) before it reaches status or the mirror
     */
    public EnvResolution {
        missing = List.copyOf(missing);
        secretValues = Set.copyOf(secretValues);
    }

    public boolean complete() {
        return missing.isEmpty();
    }

    public static EnvResolution resolve(ApplicationSpec spec,
            Function<String, Optional<Map<String, String>>> secrets,
            Function<String, Optional<Map<String, String>>> configMaps) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        Set<String> secretValues = new java.util.HashSet<>();
        List<ApplicationSpec.EnvFromSource> envFrom = spec.getEnvFrom() == null ? List.of() : spec.getEnvFrom();
        for (int i = 0; i < envFrom.size(); i++) {
            ApplicationSpec.EnvFromSource from = envFrom.get(i);
            String prefix = from.getPrefix() == null ? "" : from.getPrefix();
            boolean secret = from.getSecretRef() != null;
            String name = secret ? from.getSecretRef().getName() : from.getConfigMapRef().getName();
            Optional<Map<String, String>> data = (secret ? secrets : configMaps).apply(name);
            if (data.isEmpty()) {
                missing.add((secret ? "Secret " : "ConfigMap ") + name + " (spec.envFrom[" + i + "])");
                continue;
            }
            data.get().forEach((k, v) -> values.put(prefix + k, v));
            if (secret) {
                secretValues.addAll(data.get().values());
            }
        }
        List<ApplicationSpec.EnvVar> env = spec.getEnv() == null ? List.of() : spec.getEnv();
        for (int i = 0; i < env.size(); i++) {
            ApplicationSpec.EnvVar var = env.get(i);
            if (var.getValueFrom() == null) {
                values.put(var.getName(), var.getValue() == null ? "" : var.getValue());
                continue;
            }
            SecretKeyRef secretRef = var.getValueFrom().getSecretKeyRef();
            boolean secret = secretRef != null;
            SecretKeyRef ref = secret ? secretRef : var.getValueFrom().getConfigMapKeyRef();
            String kind = secret ? "Secret " : "ConfigMap ";
            String field = "spec.env[" + i + "].valueFrom." + (secret ? "secretKeyRef" : "configMapKeyRef");
            Optional<Map<String, String>> data = (secret ? secrets : configMaps).apply(ref.getName());
            if (data.isEmpty()) {
                missing.add(kind + ref.getName() + " (" + field + ")");
            } else if (!data.get().containsKey(ref.getKey())) {
                missing.add("key " + ref.getKey() + " of " + kind + ref.getName() + " (" + field + ")");
            } else {
                values.put(var.getName(), data.get().get(ref.getKey()));
                if (secret) {
                    secretValues.add(data.get().get(ref.getKey()));
                }
            }
        }
        return new EnvResolution(new ResolvedEnv(values), missing, secretValues);
    }

    /** Names of the Secrets the spec reads (env, envFrom and the image pull Secret), to watch them. */
    public static Set<String> referencedSecrets(ApplicationSpec spec) {
        Set<String> names = new LinkedHashSet<>();
        if (spec == null) {
            return names;
        }
        if (spec.getImagePullSecretRef() != null && spec.getImagePullSecretRef().getName() != null) {
            names.add(spec.getImagePullSecretRef().getName());
        }
        if (spec.getEnvFrom() != null) {
            spec.getEnvFrom().stream().filter(f -> f != null && f.getSecretRef() != null)
                    .forEach(f -> names.add(f.getSecretRef().getName()));
        }
        if (spec.getEnv() != null) {
            spec.getEnv().stream().filter(e -> e != null && e.getValueFrom() != null
                            && e.getValueFrom().getSecretKeyRef() != null)
                    .forEach(e -> names.add(e.getValueFrom().getSecretKeyRef().getName()));
        }
        names.remove(null);
        return names;
    }

    /** Names of the ConfigMaps the spec reads, to watch them. */
    public static Set<String> referencedConfigMaps(ApplicationSpec spec) {
        Set<String> names = new LinkedHashSet<>();
        if (spec == null) {
            return names;
        }
        if (spec.getEnvFrom() != null) {
            spec.getEnvFrom().stream().filter(f -> f != null && f.getConfigMapRef() != null)
                    .forEach(f -> names.add(f.getConfigMapRef().getName()));
        }
        if (spec.getEnv() != null) {
            spec.getEnv().stream().filter(e -> e != null && e.getValueFrom() != null
                            && e.getValueFrom().getConfigMapKeyRef() != null)
                    .forEach(e -> names.add(e.getValueFrom().getConfigMapKeyRef().getName()));
        }
        names.remove(null);
        return names;
    }

    /** {@code text} with every Secret-sourced value (of 4 characters or more) replaced by {@code <redacted>}. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String v : secretValues) {
            if (v != null && v.length() >= 4) {
                out = out.replace(v, "<redacted>");
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "EnvResolution[" + env + ", missing=" + missing + "]";
    }
}
