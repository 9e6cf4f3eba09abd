package dev.berth.controller.validation;

import dev.berth.api.v1alpha1.EnumFields;
import dev.berth.api.v1alpha1.HealthCheck;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.Patterns;
import dev.berth.api.v1alpha1.Resources;
import dev.berth.api.v1alpha1.SecretKeyRef;

/** Rules for the parts several kinds share (references, durations, limits, health checks). */
public final class FieldRules {
    /** Keys of Secrets and ConfigMaps, as Kubernetes allows them. */
    public static final String CONFIG_KEY = "^[-._a-zA-Z0-9]+$";
    public static final String DNS_NAME_WORDS = "a lowercase DNS name (letters, digits, '-', '.')";

    private FieldRules() {
    }

    /**
     * Enum fields of {@code part} holding a value this version does not know: a resource written against another
     * version of the CRD, or where no API server checks the schema. The API model keeps such a value instead of
     * failing to read the resource (which would stop the informer of every resource of the kind).
     */
    public static void knownValues(SpecViolations v, String field, EnumFields part) {
        if (part == null) {
            return;
        }
        part.unknownValues().forEach((name, value) -> v.add(field + "." + name, "'" + shorten(value.text())
                + "' is not a value this version of Berth knows (one of " + String.join(", ", value.accepted()) + ")"));
    }

    private static String shorten(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }

    public static void localRef(SpecViolations v, String field, LocalRef ref, boolean required) {
        if (ref == null) {
            if (required) {
                v.add(field, "required");
            }
            return;
        }
        if (v.required(field + ".name", ref.getName())) {
            v.matches(field + ".name", ref.getName(), Patterns.DNS_SUBDOMAIN, DNS_NAME_WORDS);
        }
    }

    public static void secretKeyRef(SpecViolations v, String field, SecretKeyRef ref, boolean keyRequired) {
        if (ref == null) {
            v.add(field, "required");
            return;
        }
        if (v.required(field + ".name", ref.getName())) {
            v.matches(field + ".name", ref.getName(), Patterns.DNS_SUBDOMAIN, DNS_NAME_WORDS);
        }
        if (keyRequired) {
            v.required(field + ".key", ref.getKey());
        }
        v.matches(field + ".key", ref.getKey(), CONFIG_KEY, "a key of letters, digits, '-', '_' or '.'");
    }

    public static void duration(SpecViolations v, String field, String value) {
        if (value != null && Durations.parse(value).isEmpty()) {
            v.add(field, "must be a duration such as 30s, 5m, 1h30m or 7d (got '" + value + "')");
        }
    }

    public static void resources(SpecViolations v, String field, Resources resources) {
        if (resources == null) {
            return;
        }
        v.matches(field + ".memory", resources.getMemory(), Patterns.MEMORY, "a size such as 512m or 1g");
        v.matches(field + ".cpus", resources.getCpus(), Patterns.CPUS, "a number of cores such as 0.5 or 2");
        if (resources.getCpus() != null && resources.getCpus().matches(Patterns.CPUS)
                && Double.parseDouble(resources.getCpus()) <= 0) {
            v.add(field + ".cpus", "must be greater than 0");
        }
    }

    /** {@code hasContainerPort}: whether a default port exists for http/tcp checks. */
    public static void healthCheck(SpecViolations v, String field, HealthCheck check, boolean hasContainerPort) {
        if (check == null) {
            return;
        }
        knownValues(v, field, check);
        HealthCheck.Type type = check.getType() == null ? HealthCheck.Type.none : check.getType();
        v.matches(field + ".path", check.getPath(), "^/.*$", "an absolute HTTP path such as /healthz");
        v.range(field + ".port", check.getPort(), 1, 65535);
        v.range(field + ".retries", check.getRetries(), 1, 100);
        duration(v, field + ".interval", check.getInterval());
        duration(v, field + ".timeout", check.getTimeout());
        duration(v, field + ".startPeriod", check.getStartPeriod());
        if (check.unknownValues().containsKey("type")) {
            return; // which fields the type needs is unknown
        }
        switch (type) {
            case http, tcp -> {
                if (check.getPort() == null && !hasContainerPort) {
                    v.add(field + ".port", "required for a " + type + " check when no container port is declared");
                }
            }
            case command -> {
                if (check.getCommand() == null || check.getCommand().isEmpty()) {
                    v.add(field + ".command", "required for a command check");
                }
            }
            case none -> {
            }
        }
        if (type != HealthCheck.Type.command && check.getCommand() != null && !check.getCommand().isEmpty()) {
            v.add(field + ".command", "only allowed with type command");
        }
        if (type != HealthCheck.Type.http && check.getPath() != null) {
            v.add(field + ".path", "only allowed with type http");
        }
    }
}
