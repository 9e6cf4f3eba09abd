package dev.berth.controller.mirror;

import dev.berth.api.v1alpha1.Berth;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * Where a resource belongs in Coolify's terms: the team is its namespace, the project and environment come from
 * the labels {@code berth.dev/project} and {@code berth.dev/environment} (default {@value #DEFAULT_PROJECT} and
 * {@value #DEFAULT_ENVIRONMENT}, as a fresh Coolify team starts). Their ids are derived from the names, so every
 * writer computes the same ids without asking the database first.
 */
record Tenancy(String team, String project, String environment) {

    static final String DEFAULT_PROJECT = "default";
    static final String DEFAULT_ENVIRONMENT = "production";

    static Tenancy of(HasMetadata resource) {
        Map<String, String> labels = resource.getMetadata().getLabels();
        return new Tenancy(resource.getMetadata().getNamespace(),
                label(labels, Berth.LABEL_PROJECT, DEFAULT_PROJECT),
                label(labels, Berth.LABEL_ENVIRONMENT, DEFAULT_ENVIRONMENT));
    }

    private static String label(Map<String, String> labels, String key, String fallback) {
        String value = labels == null ? null : labels.get(key);
        return value == null || value.isBlank() ? fallback : value;
    }

    UUID teamId() {
        return teamId(team);
    }

    UUID projectId() {
        return derived("project", team, project);
    }

    UUID environmentId() {
        return derived("environment", team, project, environment);
    }

    static UUID teamId(String namespace) {
        return derived("team", namespace);
    }

    static UUID privateKeyId(String namespace, String secretName, String secretKey) {
        return derived("private-key", namespace, secretName, secretKey);
    }

    /** A name-based (version 3) UUID; the NUL separator keeps ("a/b","c") and ("a","b/c") apart. */
    private static UUID derived(String type, String... names) {
        return UUID.nameUUIDFromBytes(("berth:" + type + "\0" + String.join("\0", names)).getBytes(StandardCharsets.UTF_8));
    }
}
