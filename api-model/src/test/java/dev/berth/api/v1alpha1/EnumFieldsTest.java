package dev.berth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An enum value this version does not know must not fail deserialisation (that stops the informer of the whole
 * kind): it is kept, reported by the validator, and written back unchanged. Every enum field of the four kinds.
 */
class EnumFieldsTest {
    private static final KubernetesSerialization JSON = new KubernetesSerialization();
    private static final ObjectMapper TREE = new ObjectMapper();

    /** Every enum field of the four specs, as kind + JSON path; the reflection walk below must find exactly these. */
    private static final List<String> ENUM_FIELDS = List.of(
            "Server spec.hostKey.policy",
            "Application spec.restartPolicy",
            "Application spec.ports[].protocol",
            "Application spec.healthCheck.type",
            "Application spec.rollout.strategy",
            "StandaloneDatabase spec.engine",
            "StandaloneDatabase spec.storage.deletionPolicy",
            "StandaloneDatabase spec.healthCheck.type");

    @Test
    void everyEnumFieldOfTheFourKindsIsListedKeptAndTolerant() {
        Map<String, Field> found = new LinkedHashMap<>();
        for (Class<?> kind : List.of(Server.class, Application.class, StandaloneDatabase.class, ScheduledBackup.class)) {
            Class<?> spec = (Class<?>) ((ParameterizedType) kind.getGenericSuperclass()).getActualTypeArguments()[0];
            walk(kind.getSimpleName() + " spec", spec, found);
        }
        assertThat(new TreeSet<>(found.keySet())).isEqualTo(new TreeSet<>(ENUM_FIELDS));
        found.forEach((path, field) -> {
            assertThat(EnumFields.class).as(path + ": its class keeps unknown values")
                    .isAssignableFrom(field.getDeclaringClass());
            JsonDeserialize deserialize = field.getType().getAnnotation(JsonDeserialize.class);
            assertThat(deserialize).as(path + ": its enum is read tolerantly").isNotNull();
            assertThat(deserialize.using()).isEqualTo(TolerantEnumDeserializer.class);
        });
    }

    private static void walk(String path, Class<?> type, Map<String, Field> found) {
        for (Field field : type.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || field.getDeclaringClass() == EnumFields.class) {
                continue;
            }
            String name = path + "." + field.getName();
            Class<?> t = field.getType();
            Type generic = field.getGenericType();
            if (List.class.isAssignableFrom(t) && generic instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> element) {
                name += "[]";
                t = element;
            }
            if (t.isEnum()) {
                found.put(name, field);
            } else if (t.getPackage() == Application.class.getPackage()) {
                walk(name, t, found);
            }
        }
        if (type.getSuperclass() != null && type.getSuperclass() != Object.class && type.getSuperclass() != EnumFields.class) {
            walk(path, type.getSuperclass(), found);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Server spec.hostKey.policy",
            "Application spec.restartPolicy",
            "Application spec.ports[].protocol",
            "Application spec.healthCheck.type",
            "Application spec.rollout.strategy",
            "StandaloneDatabase spec.engine",
            "StandaloneDatabase spec.storage.deletionPolicy",
            "StandaloneDatabase spec.healthCheck.type"})
    void anUnknownValueIsKeptInItsPartAndWrittenBackUnchanged(String kindAndPath) throws Exception {
        String kind = kindAndPath.split(" ")[0];
        String path = kindAndPath.split(" ")[1];
        Class<? extends CustomResource<?, ?>> type = switch (kind) {
            case "Server" -> Server.class;
            case "Application" -> Application.class;
            default -> StandaloneDatabase.class;
        };
        ObjectNode resource = (ObjectNode) TREE.readTree("{\"apiVersion\":\"berth.dev/v1alpha1\",\"kind\":\""
                + kind + "\",\"metadata\":{\"name\":\"x\",\"namespace\":\"ns\"},\"spec\":{}}");
        String[] steps = path.substring("spec.".length()).split("\\.");
        ObjectNode part = (ObjectNode) resource.get("spec");
        for (int i = 0; i < steps.length - 1; i++) {
            part = steps[i].endsWith("[]")
                    ? part.putArray(steps[i].replace("[]", "")).addObject().put("containerPort", 8080)
                    : part.putObject(steps[i]);
        }
        String field = steps[steps.length - 1];
        part.put(field, "FromAnotherVersion");

        CustomResource<?, ?> read = JSON.unmarshal(resource.toString(), type);

        Object holder = read.getSpec();
        for (int i = 0; i < steps.length - 1; i++) {
            holder = property(holder, steps[i].replace("[]", ""));
            if (holder instanceof List<?> list) {
                holder = list.get(0);
            }
        }
        EnumFields kept = (EnumFields) holder;
        assertThat(kept.unknownValues()).containsOnlyKeys(field);
        assertThat(kept.unknownValues().get(field).text()).isEqualTo("FromAnotherVersion");
        assertThat(kept.unknownValues().get(field).accepted()).isNotEmpty();
        assertThat(property(kept, field)).as("the typed field reads null, never a default").isNull();

        // Written back as it was: JOSDK clones every resource through JSON before reconciling it.
        JsonNode written = TREE.readTree(JSON.asJson(read));
        JsonNode at = written.get("spec");
        for (int i = 0; i < steps.length - 1; i++) {
            at = at.get(steps[i].replace("[]", ""));
            at = at.isArray() ? at.get(0) : at;
        }
        assertThat(at.get(field).asText()).isEqualTo("FromAnotherVersion");
        CustomResource<?, ?> cloned = JSON.clone(read);
        assertThat(JSON.asJson(cloned)).isEqualTo(JSON.asJson(read));
    }

    private static Object property(Object bean, String name) throws Exception {
        return bean.getClass().getMethod("get" + Character.toUpperCase(name.charAt(0)) + name.substring(1)).invoke(bean);
    }

    @ParameterizedTest
    @CsvSource({"TCP, TCP", "tcp, TCP", "UDP, UDP", "udp, UDP"})
    void protocolTakesKubernetesAndDockerSpellingsAndWritesKubernetes(String given, ApplicationSpec.Protocol expected) {
        ApplicationSpec.PortMapping port = JSON.unmarshal(
                "{\"containerPort\":53,\"protocol\":\"" + given + "\"}", ApplicationSpec.PortMapping.class);
        assertThat(port.getProtocol()).isEqualTo(expected);
        assertThat(port.unknownValues()).isEmpty();
        assertThat(JSON.asJson(port)).contains("\"protocol\":\"" + expected.name() + "\"");
    }

    @Test
    void knownValuesReadAsBeforeIncludingTheirJsonNames() {
        StandaloneDatabaseSpec spec = JSON.unmarshal("{\"engine\":\"postgresql\",\"storage\":{\"deletionPolicy\":\"Delete\"}}",
                StandaloneDatabaseSpec.class);
        assertThat(spec.getEngine()).isEqualTo(StandaloneDatabaseSpec.Engine.POSTGRESQL);
        assertThat(spec.getStorage().getDeletionPolicy()).isEqualTo(StandaloneDatabaseSpec.DeletionPolicy.Delete);
        assertThat(spec.unknownValues()).isEmpty();
        assertThat(JSON.asJson(spec)).contains("\"engine\":\"postgresql\"");
    }

    @Test
    void outsideASpecPartAnUnknownValueStillFails() {
        assertThatThrownBy(() -> JSON.unmarshal("\"SCTP\"", ApplicationSpec.Protocol.class))
                .hasMessageContaining("SCTP");
    }
}
