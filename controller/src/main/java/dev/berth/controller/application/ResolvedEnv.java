package dev.berth.controller.application;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The container's environment with every value resolved (literals, Secret and ConfigMap keys), held in memory for
 * one reconcile only. {@link #toString()} lists names, never values: an env value must not reach a log line, an
 * exception message, status or the mirror.
 */
public record ResolvedEnv(Map<String, String> values) {

    public ResolvedEnv {
        values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static ResolvedEnv empty() {
        return new ResolvedEnv(Map.of());
    }

    @Override
    public String toString() {
        return "ResolvedEnv" + values.keySet();
    }
}
