package dev.berth.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/crds.md documents every field of the four kinds; it is rendered from the generated CRDs so it cannot drift.
 * When this fails: {@code mvn -pl api-model test -Dtest=CrdReferenceIsCurrentTest -Dberth.docs.update=true}.
 */
class CrdReferenceIsCurrentTest {
    private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
    private static final Path DOC = Path.of("../docs/crds.md");
    private static final List<String> ORDER = List.of("servers", "applications", "standalonedatabases", "scheduledbackups");

    @Test
    void crdReferenceMatchesGeneratedCrds() throws IOException {
        String rendered = render();
        if (Boolean.getBoolean("berth.docs.update")) {
            Files.writeString(DOC, rendered);
        }
        assertThat(Files.exists(DOC)).as("docs/crds.md exists").isTrue();
        assertThat(Files.readString(DOC))
                .as("docs/crds.md is stale; run mvn -pl api-model test -Dtest=CrdReferenceIsCurrentTest -Dberth.docs.update=true")
                .isEqualTo(rendered);
    }

    static String render() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Berth custom resources: field reference\n\n")
                .append("Group `berth.dev`, version `v1alpha1`, all namespaced. Generated from the CRDs in `crds/` ")
                .append("(themselves generated from `api-model`) by `CrdReferenceIsCurrentTest`; do not edit by hand.\n")
                .append("Condition types and reasons are described in [conditions.md](conditions.md).\n\n")
                .append("Because Berth also validates every rule below in code, a resource that breaks one is not rejected ")
                .append("silently where no API server enforces the schema: it gets `Ready=False` with reason `InvalidSpec` ")
                .append("and a message naming the field. So does an enum value this version does not know (a resource ")
                .append("stored against another version of the CRD): that resource is reported, the others of its kind ")
                .append("carry on.\n");
        for (String plural : ORDER) {
            CustomResourceDefinition crd = Serialization.unmarshal(
                    Files.readString(GENERATED.resolve(plural + ".berth.dev-v1.yml")), CustomResourceDefinition.class);
            CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
            md.append("\n## ").append(crd.getSpec().getNames().getKind()).append("\n\n");
            md.append("`kubectl get ").append(plural).append("` (short names: ")
                    .append(String.join(", ", crd.getSpec().getNames().getShortNames())).append(") shows the columns ")
                    .append(version.getAdditionalPrinterColumns().stream().map(c -> c.getName())
                            .collect(java.util.stream.Collectors.joining(", ", "Name, ", "")))
                    .append("\n\n");
            Map<String, JSONSchemaProps> top = version.getSchema().getOpenAPIV3Schema().getProperties();
            for (String part : List.of("spec", "status")) {
                md.append("### ").append(part).append("\n\n")
                        .append("| field | type | default | rules | description |\n|---|---|---|---|---|\n");
                fields(md, part, top.get(part), Set.of());
                md.append("\n");
            }
        }
        return md.toString();
    }

    private static void fields(StringBuilder md, String prefix, JSONSchemaProps schema, Set<String> required) {
        if (schema.getProperties() == null) {
            return;
        }
        Set<String> req = schema.getRequired() == null ? Set.of() : new TreeSet<>(schema.getRequired());
        for (Map.Entry<String, JSONSchemaProps> e : new java.util.TreeMap<>(schema.getProperties()).entrySet()) {
            String path = prefix + "." + e.getKey();
            JSONSchemaProps p = e.getValue();
            String type = p.getType();
            JSONSchemaProps item = p.getItems() == null ? null : p.getItems().getSchema();
            if ("array".equals(type) && item != null) {
                type = "[]" + item.getType();
            } else if ("object".equals(type) && p.getAdditionalProperties() != null
                    && p.getAdditionalProperties().getSchema() != null) {
                type = "map[string]" + p.getAdditionalProperties().getSchema().getType();
            }
            md.append("| `").append(path).append("` | ").append(type).append(" | ")
                    .append(p.getDefault() == null ? "" : "`" + p.getDefault().toString().replace("\"", "") + "`").append(" | ")
                    .append(rules(p, req.contains(e.getKey()))).append(" | ")
                    .append(p.getDescription() == null ? "" : escape(p.getDescription())).append(" |\n");
            fields(md, path, p, req);
            if (item != null) {
                fields(md, path + "[]", item, Set.of());
            }
        }
    }

    private static String rules(JSONSchemaProps p, boolean required) {
        List<String> rules = new java.util.ArrayList<>();
        if (required) {
            rules.add("required");
        }
        if (p.getEnum() != null && !p.getEnum().isEmpty()) {
            rules.add("one of " + String.join(", ", p.getEnum().stream().map(n -> n.asText()).toList()));
        }
        if (p.getPattern() != null) {
            rules.add("pattern `" + escape(p.getPattern()) + "`");
        }
        if (p.getMinimum() != null) {
            rules.add("min " + String.valueOf(p.getMinimum().longValue()));
        }
        if (p.getMaximum() != null) {
            rules.add("max " + String.valueOf(p.getMaximum().longValue()));
        }
        if (p.getXKubernetesValidations() != null && !p.getXKubernetesValidations().isEmpty()) {
            for (ValidationRule rule : p.getXKubernetesValidations()) {
                rules.add(rule.getMessage());
            }
        }
        return String.join("; ", rules);
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
