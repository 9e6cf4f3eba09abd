package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.SecretKeyRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EnvResolutionTest {
    private static final Map<String, Map<String, String>> SECRETS = Map.of(
            "db", Map.of("password", "pw-1", "user", "shop"),
            "pull", Map.of(".dockerconfigjson", "{}"));
    private static final Map<String, Map<String, String>> CONFIG_MAPS = Map.of(
            "settings", Map.of("MODE", "from-configmap", "LEVEL", "info"));

    private static EnvResolution resolve(ApplicationSpec spec) {
        return EnvResolution.resolve(spec, n -> Optional.ofNullable(SECRETS.get(n)),
                n -> Optional.ofNullable(CONFIG_MAPS.get(n)));
    }

    static ApplicationSpec.EnvVar literal(String name, String value) {
        ApplicationSpec.EnvVar v = new ApplicationSpec.EnvVar();
        v.setName(name);
        v.setValue(value);
        return v;
    }

    static ApplicationSpec.EnvVar fromSecret(String name, String secret, String key) {
        ApplicationSpec.EnvVar v = new ApplicationSpec.EnvVar();
        v.setName(name);
        ApplicationSpec.EnvVarSource s = new ApplicationSpec.EnvVarSource();
        s.setSecretKeyRef(new SecretKeyRef(secret, key));
        v.setValueFrom(s);
        return v;
    }

    static ApplicationSpec.EnvVar fromConfigMap(String name, String configMap, String key) {
        ApplicationSpec.EnvVar v = new ApplicationSpec.EnvVar();
        v.setName(name);
        ApplicationSpec.EnvVarSource s = new ApplicationSpec.EnvVarSource();
        s.setConfigMapKeyRef(new SecretKeyRef(configMap, key));
        v.setValueFrom(s);
        return v;
    }

    @Test
    void literalsSecretAndConfigMapKeysEnvFromWithPrefixAndEnvOverridesEnvFrom() {
        ApplicationSpec spec = new ApplicationSpec();
        ApplicationSpec.EnvFromSource all = new ApplicationSpec.EnvFromSource();
        all.setConfigMapRef(new LocalRef("settings"));
        ApplicationSpec.EnvFromSource db = new ApplicationSpec.EnvFromSource();
        db.setSecretRef(new LocalRef("db"));
        db.setPrefix("DB_");
        spec.setEnvFrom(List.of(all, db));
        spec.setEnv(List.of(literal("MODE", "production"), fromSecret("PASSWORD", "db", "password"),
                fromConfigMap("LOG", "settings", "LEVEL")));

        EnvResolution r = resolve(spec);
        assertThat(r.complete()).isTrue();
        assertThat(r.env().values()).isEqualTo(Map.of("MODE", "production", "LEVEL", "info", "DB_password", "pw-1",
                "DB_user", "shop", "PASSWORD", "pw-1", "LOG", "info"));
        assertThat(r.toString()).doesNotContain("pw-1");
        assertThat(r.secretValues()).containsExactlyInAnyOrder("pw-1", "shop");
        assertThat(r.redact("login shop/pw-1 failed; mode production"))
                .as("Secret values are blanked, literals are not").isEqualTo("login <redacted>/<redacted> failed; mode production");
    }

    @Test
    void missingObjectsAndKeysAreNamedWithoutValues() {
        ApplicationSpec spec = new ApplicationSpec();
        ApplicationSpec.EnvFromSource gone = new ApplicationSpec.EnvFromSource();
        gone.setSecretRef(new LocalRef("gone"));
        spec.setEnvFrom(List.of(gone));
        spec.setEnv(List.of(fromSecret("A", "db", "nokey"), fromConfigMap("B", "nomap", "x")));

        EnvResolution r = resolve(spec);
        assertThat(r.complete()).isFalse();
        assertThat(r.missing()).containsExactly("Secret gone (spec.envFrom[0])",
                "key nokey of Secret db (spec.env[0].valueFrom.secretKeyRef)",
                "ConfigMap nomap (spec.env[1].valueFrom.configMapKeyRef)");
    }

    @Test
    void referencedObjectsIncludeThePullSecret() {
        ApplicationSpec spec = new ApplicationSpec();
        spec.setImagePullSecretRef(new LocalRef("pull"));
        ApplicationSpec.EnvFromSource cm = new ApplicationSpec.EnvFromSource();
        cm.setConfigMapRef(new LocalRef("settings"));
        spec.setEnvFrom(List.of(cm));
        spec.setEnv(List.of(fromSecret("P", "db", "password"), fromConfigMap("L", "other", "x"), literal("X", "1")));

        assertThat(EnvResolution.referencedSecrets(spec)).containsExactly("pull", "db");
        assertThat(EnvResolution.referencedConfigMaps(spec)).containsExactly("settings", "other");
        assertThat(EnvResolution.referencedSecrets(null)).isEmpty();
    }
}
