package dev.berth.controller.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lints and renders helm/berth offline (helm-java bundles Helm) and checks what the chart promises:
 * the Restricted Pod Security Standard, least-privilege RBAC, the generated CRDs, secrets only by reference
 * and a values schema that rejects nonsense.
 */
class HelmChartTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path CHART = REPO.resolve("helm/berth");
    private static final String NAMESPACE = "berth-system";
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    /** Every variable the operator reads (docs/team-notes.md), plus what the JVM and the downward API need. */
    private static final Set<String> KNOWN_ENV = Set.of("POD_NAMESPACE", "HOME", "JAVA_TOOL_OPTIONS",
            "BERTH_LOCAL_MODE", "BERTH_LOCAL_APPLY", "BERTH_NAMESPACES", "BERTH_HTTP_PORT", "BERTH_LEADER_ELECTION",
            "BERTH_LEASE_NAME", "BERTH_LEASE_NAMESPACE", "BERTH_DATABASE_URL", "BERTH_DATABASE_USER",
            "BERTH_DATABASE_PASSWORD", "BERTH_EMBEDDED_DB_DIR", "BERTH_REDIS_URL", "BERTH_SERVER_CHECK_INTERVAL",
            "BERTH_APP_RECHECK_INTERVAL");
    private static final Set<String> SECRET_ENV =
            Set.of("BERTH_DATABASE_URL", "BERTH_DATABASE_USER", "BERTH_DATABASE_PASSWORD", "BERTH_REDIS_URL");

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as("helm lint: %s", result.getMessages()).isFalse();
    }

    @Test
    void podAndContainerFollowTheRestrictedPodSecurityStandard() {
        Deployment deployment = deployment(render(Map.of()));
        PodSecurityContext pod = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(pod.getRunAsUser()).isPositive();
        assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        Container container = operatorContainer(deployment);
        SecurityContext sc = container.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).isTrue();
        assertThat(sc.getRunAsUser()).isPositive();
        assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
        assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
        assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        // With a read-only root filesystem the JVM needs writable scratch space: /tmp (and HOME) on emptyDirs.
        Map<String, String> mounts = container.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
        assertThat(mounts).containsKeys("/tmp", "/var/lib/berth");
        List<Volume> volumes = deployment.getSpec().getTemplate().getSpec().getVolumes();
        assertThat(volumes).filteredOn(v -> mounts.containsValue(v.getName()))
                .hasSize(2).allSatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
        assertThat(env(container)).containsEntry("HOME", "/var/lib/berth")
                .containsEntry("BERTH_EMBEDDED_DB_DIR", "/var/lib/berth/pgdata");
    }

    @Test
    void probesAndPortServeTheOperatorsEndpoints() {
        Container container = operatorContainer(deployment(render(Map.of())));
        assertThat(container.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getImage()).isEqualTo("berth/operator:0.1.0-SNAPSHOT");

        JsonNode service = single(render(Map.of()), "Service");
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    }

    @Test
    void environmentUsesTheOperatorsVariableNames() {
        Container container = operatorContainer(deployment(render(Map.of())));
        assertThat(container.getEnv()).extracting(EnvVar::getName).allMatch(KNOWN_ENV::contains);
        EnvVar podNamespace = container.getEnv().stream().filter(e -> e.getName().equals("POD_NAMESPACE"))
                .findFirst().orElseThrow();
        assertThat(podNamespace.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        assertThat(env(container)).containsEntry("BERTH_LEADER_ELECTION", "true")
                .containsEntry("BERTH_NAMESPACES", "")
                .containsEntry("BERTH_HTTP_PORT", "8080")
                .containsEntry("BERTH_LEASE_NAME", "berth-operator");
        // Nothing configured: no connection variables at all (the operator falls back to embedded PostgreSQL).
        assertThat(env(container)).doesNotContainKeys(SECRET_ENV.toArray(String[]::new));
        assertThat(kinds(render(Map.of()))).doesNotContain("Secret");

        Container watching = operatorContainer(deployment(render(Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"))));
        assertThat(env(watching)).containsEntry("BERTH_NAMESPACES", "team-a,team-b");
    }

    @Test
    void noRbacRuleUsesAWildcardOrAVerbBerthDoesNotNeed() {
        Set<String> allowedVerbs = Set.of("get", "list", "watch", "create", "update", "patch");
        for (List<JsonNode> docs : List.of(render(Map.of()), render(Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b")),
                render(Map.of("rbac.readCustomResourceDefinitions", "true")))) {
            List<PolicyRule> rules = docs.stream()
                    .filter(d -> Set.of("Role", "ClusterRole").contains(d.path("kind").asText()))
                    .flatMap(d -> convert(d, Role.class).getRules().stream()).toList();
            assertThat(rules).isNotEmpty().allSatisfy(rule -> {
                assertThat(rule.getApiGroups()).isNotEmpty().noneMatch(s -> s.contains("*"));
                assertThat(rule.getResources()).isNotEmpty().noneMatch(s -> s.contains("*"));
                assertThat(rule.getVerbs()).isNotEmpty().allMatch(allowedVerbs::contains);
                assertThat(rule.getResourceNames()).noneMatch(s -> s.contains("*"));
                assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            });
        }
    }

    @Test
    void rbacGrantsWhatTheOperatorUses() {
        List<JsonNode> docs = render(Map.of());
        List<PolicyRule> clusterWide = rules(docs, "ClusterRole", "berth");
        assertThat(verbs(clusterWide, "berth.dev", "applications")).containsExactlyInAnyOrder(
                "get", "list", "watch", "update", "patch");
        assertThat(verbs(clusterWide, "berth.dev", "scheduledbackups/status")).contains("update", "patch");
        assertThat(verbs(clusterWide, "berth.dev", "standalonedatabases/finalizers")).contains("update");
        assertThat(verbs(clusterWide, "", "secrets")).containsExactlyInAnyOrder(
                "get", "list", "watch", "create", "update");
        assertThat(verbs(clusterWide, "", "configmaps")).containsExactlyInAnyOrder("get", "list", "watch");
        assertThat(verbs(clusterWide, "", "events")).containsExactlyInAnyOrder("create", "patch");
        List<PolicyRule> cluster = rules(docs, "ClusterRole", "berth-cluster");
        assertThat(verbs(cluster, "authorization.k8s.io", "selfsubjectrulesreviews")).containsExactly("create");
        assertThat(verbs(cluster, "apiextensions.k8s.io", "customresourcedefinitions")).isEmpty();
        assertThat(verbs(rules(render(Map.of("rbac.readCustomResourceDefinitions", "true")), "ClusterRole",
                "berth-cluster"), "apiextensions.k8s.io", "customresourcedefinitions"))
                .containsExactlyInAnyOrder("get", "list");
        assertBound(docs, "ClusterRoleBinding", "berth", null);
        assertBound(docs, "ClusterRoleBinding", "berth-cluster", null);
    }

    @Test
    void leaderElectionMayUseItsLeaseInTheReleaseNamespace() {
        List<JsonNode> docs = render(Map.of());
        JsonNode role = docs.stream().filter(d -> d.path("kind").asText().equals("Role")
                && d.at("/metadata/name").asText().equals("berth-leader-election")).findFirst().orElseThrow();
        assertThat(role.at("/metadata/namespace").asText()).isEqualTo(NAMESPACE);
        assertThat(verbs(convert(role, Role.class).getRules(), "coordination.k8s.io", "leases"))
                .containsExactlyInAnyOrder("get", "create", "update");
        assertBound(docs, "RoleBinding", "berth-leader-election", NAMESPACE);
    }

    @Test
    void listedNamespacesGetRolesInsteadOfClusterWideAccess() {
        List<JsonNode> docs = render(Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"));
        for (String ns : List.of("team-a", "team-b")) {
            JsonNode role = docs.stream().filter(d -> d.path("kind").asText().equals("Role")
                    && d.at("/metadata/namespace").asText().equals(ns)).findFirst().orElseThrow();
            assertThat(verbs(convert(role, Role.class).getRules(), "berth.dev", "servers"))
                    .contains("get", "list", "watch");
            assertThat(verbs(convert(role, Role.class).getRules(), "", "secrets")).contains("get");
            assertBound(docs, "RoleBinding", "berth", ns);
        }
        // Cluster-wide only what leader election asks; no Secrets, no Berth kinds.
        List<JsonNode> clusterRoles = docs.stream().filter(d -> d.path("kind").asText().equals("ClusterRole")).toList();
        assertThat(clusterRoles).extracting(d -> d.at("/metadata/name").asText()).containsExactly("berth-cluster");
        assertThat(verbs(rules(docs, "ClusterRole", "berth-cluster"), "", "secrets")).isEmpty();
        assertThat(verbs(rules(docs, "ClusterRole", "berth-cluster"), "berth.dev", "servers")).isEmpty();
    }

    @Test
    void serviceMonitorOnlyWhenEnabledAndItsApiIsServed() {
        assertThat(kinds(render(Map.of()))).doesNotContain("ServiceMonitor");
        // helm template knows no monitoring.coreos.com/v1: the capability guard keeps it out.
        assertThat(kinds(render(Map.of("serviceMonitor.enabled", "true")))).doesNotContain("ServiceMonitor");

        List<JsonNode> docs = render(Map.of("serviceMonitor.enabled", "true", "serviceMonitor.skipApiVersionCheck", "true",
                "serviceMonitor.labels.release", "prometheus"));
        JsonNode monitor = single(docs, "ServiceMonitor");
        assertThat(monitor.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("http");
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
        // Its selector picks the metrics Service.
        JsonNode serviceLabels = single(docs, "Service").at("/metadata/labels");
        monitor.at("/spec/selector/matchLabels").properties().forEach(e ->
                assertThat(serviceLabels.path(e.getKey()).asText()).isEqualTo(e.getValue().asText()));
    }

    @Test
    void connectionSettingsComeFromTheChartsSecretByReference() {
        String password = "pw-Recognisable-4711";
        String url = "jdbc:postgresql://db.example:5432/berth";
        String redis = "redis://redis.example:6379";
        String rendered = template(Map.of("database.url", url, "database.user", "berth",
                "database.password", password, "redis.url", redis));
        List<JsonNode> docs = parse(rendered);

        // The literal values appear nowhere in the rendered manifests: only base64 inside the Secret.
        assertThat(rendered).doesNotContain(password).doesNotContain(url).doesNotContain(redis);
        JsonNode secret = single(docs, "Secret");
        assertThat(decode(secret.at("/data/databasePassword"))).isEqualTo(password);
        assertThat(decode(secret.at("/data/databaseUrl"))).isEqualTo(url);
        assertThat(decode(secret.at("/data/redisUrl"))).isEqualTo(redis);

        Container container = operatorContainer(deployment(docs));
        assertSecretRefs(container, secret.at("/metadata/name").asText(), false);
    }

    @Test
    void anExistingSecretIsReferencedAndNoneIsCreated() {
        List<JsonNode> docs = render(Map.of("existingSecret.name", "berth-connections",
                "existingSecret.keys.databasePassword", "pgpass", "database.password", "ignored-4711"));
        assertThat(kinds(docs)).doesNotContain("Secret");
        Container container = operatorContainer(deployment(docs));
        assertSecretRefs(container, "berth-connections", true);
        assertThat(container.getEnv()).filteredOn(e -> e.getName().equals("BERTH_DATABASE_PASSWORD"))
                .singleElement().satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("pgpass"));
        assertThat(docs.toString()).doesNotContain("ignored-4711");
    }

    @Test
    void chartCrdsAreByteIdenticalToTheGeneratedOnes() throws IOException {
        List<Path> top = yamlFiles(REPO.resolve("crds"));
        List<Path> chart = yamlFiles(CHART.resolve("crds"));
        assertThat(top).hasSize(4);
        assertThat(chart).extracting(p -> p.getFileName().toString())
                .containsExactlyElementsOf(top.stream().map(p -> p.getFileName().toString()).toList());
        for (Path file : top) {
            assertThat(Files.readAllBytes(CHART.resolve("crds").resolve(file.getFileName())))
                    .as("helm/berth/crds/%s", file.getFileName())
                    .isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void valuesSchemaRejectsBadValues() throws IOException {
        assertThatThrownBy(() -> template(Map.of("replicaCount", "two")))
                .hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> template(Map.of("securityContext.allowPrivilegeEscalation", "true")))
                .hasMessageContaining("allowPrivilegeEscalation");
        assertThatThrownBy(() -> template(Map.of("podSecurityContext.runAsUser", "0")))
                .hasMessageContaining("runAsUser");
        assertThatThrownBy(() -> template(Map.of("replicas", "2")))
                .as("unknown top-level keys are typos").hasMessageContaining("replicas");
    }

    @Test
    void lintFailsOnABadValuesFile(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("berth");
        copyTree(CHART, copy);
        Path values = copy.resolve("values.yaml");
        Files.writeString(values, Files.readString(values).replace("replicaCount: 1", "replicaCount: two"));
        LintResult result = new Helm(copy).lint().call();
        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("replicaCount");
    }

    // --- rendering and parsing

    private static String template(Map<String, String> values) {
        TemplateCommand command = new Helm(CHART).template().withName("berth").withNamespace(NAMESPACE);
        values.forEach(command::set);
        return command.call();
    }

    private static List<JsonNode> render(Map<String, String> values) {
        return parse(template(values));
    }

    private static List<JsonNode> parse(String yaml) {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            List<JsonNode> docs = new ArrayList<>();
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new IllegalStateException("rendered chart is not YAML:\n" + yaml, e);
        }
    }

    private static <T> T convert(JsonNode node, Class<T> type) {
        return KUBERNETES.convertValue(node, type);
    }

    private static List<String> kinds(List<JsonNode> docs) {
        return docs.stream().map(d -> d.path("kind").asText()).toList();
    }

    private static JsonNode single(List<JsonNode> docs, String kind) {
        List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertThat(found).as("%s documents", kind).hasSize(1);
        return found.get(0);
    }

    private static Deployment deployment(List<JsonNode> docs) {
        return convert(single(docs, "Deployment"), Deployment.class);
    }

    private static Container operatorContainer(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).hasSize(1);
        return containers.get(0);
    }

    /** Literal env values by name (entries with valueFrom map to null). */
    private static Map<String, String> env(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        return env;
    }

    private static void assertSecretRefs(Container container, String secretName, boolean optional) {
        List<EnvVar> fromSecret = container.getEnv().stream().filter(e -> SECRET_ENV.contains(e.getName())).toList();
        assertThat(fromSecret).extracting(EnvVar::getName).containsExactlyInAnyOrderElementsOf(SECRET_ENV);
        assertThat(fromSecret).allSatisfy(e -> {
            assertThat(e.getValue()).as("%s literal value", e.getName()).isNull();
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secretName);
            assertThat(Boolean.TRUE.equals(e.getValueFrom().getSecretKeyRef().getOptional())).isEqualTo(optional);
        });
    }

    private static List<PolicyRule> rules(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)
                        && d.at("/metadata/name").asText().equals(name))
                .flatMap(d -> convert(d, Role.class).getRules().stream()).toList();
    }

    private static List<String> verbs(List<PolicyRule> rules, String apiGroup, String resource) {
        return rules.stream().filter(r -> r.getApiGroups().contains(apiGroup) && r.getResources().contains(resource))
                .flatMap(r -> r.getVerbs().stream()).distinct().toList();
    }

    private static void assertBound(List<JsonNode> docs, String bindingKind, String name, String namespace) {
        RoleBinding binding = docs.stream().filter(d -> d.path("kind").asText().equals(bindingKind)
                        && d.at("/metadata/name").asText().equals(name)
                        && (namespace == null || d.at("/metadata/namespace").asText().equals(namespace)))
                .map(d -> convert(d, RoleBinding.class)).findFirst().orElseThrow(
                        () -> new AssertionError(bindingKind + " " + name + " in " + namespace));
        assertThat(binding.getRoleRef().getName()).isEqualTo(name);
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo("berth");
            assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
        });
        JsonNode account = single(docs, "ServiceAccount");
        assertThat(account.at("/metadata/name").asText()).isEqualTo("berth");
    }

    private static String decode(JsonNode base64) {
        return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }

    private static List<Path> yamlFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
