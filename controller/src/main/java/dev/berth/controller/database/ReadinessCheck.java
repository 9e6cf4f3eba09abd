package dev.berth.controller.database;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An engine's readiness check: a command run inside the database container (by {@code docker exec}, whose API takes
 * environment variables) that logs in over TCP and exits 0 only when the engine answers an authenticated request.
 * The password is only ever in {@link #env()}, under the name the engine's client reads ({@code PGPASSWORD},
 * {@code MYSQL_PWD}, {@code REDISCLI_AUTH}, ...), never in {@link #command()}: a host's {@code ps} shows argv to
 * everyone. {@link #secretNames()} says which variables carry secrets.
 */
public record ReadinessCheck(List<String> command, Map<String, String> env, Set<String> secretNames) {
    public ReadinessCheck {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        secretNames = Set.copyOf(secretNames);
        if (!env.keySet().containsAll(secretNames)) {
            throw new IllegalArgumentException("secret names " + secretNames + " not all in env " + env.keySet());
        }
    }

    /** The environment as {@code NAME=value} entries, as Docker's exec API takes it (sorted, so stable). */
    public List<String> envEntries() {
        return env.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue())
                .toList();
    }

    /**
     * The same check as Docker's {@code HEALTHCHECK} test ({@code CMD-SHELL ...}), for a container whose own
     * environment is {@code containerEnv}: each secret variable refers to the container variable that holds the
     * same value (so the health check's command line, which {@code docker inspect} shows, holds no secret); other
     * variables are written out. Fails, naming no value, when a secret is in no container variable.
     */
    public List<String> dockerHealthTest(Map<String, String> containerEnv) {
        List<String> parts = new ArrayList<>();
        Map<String, String> sorted = new LinkedHashMap<>();
        env.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            if (secretNames.contains(e.getKey())) {
                String holder = containerEnv.entrySet().stream()
                        .filter(c -> c.getValue().equals(e.getValue()))
                        .map(Map.Entry::getKey).sorted().findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(
                                "no container variable holds the value of " + e.getKey()));
                parts.add(e.getKey() + "=\"$" + holder + "\"");
            } else {
                parts.add(e.getKey() + "=" + ShellQuoting.quote(e.getValue()));
            }
        }
        StringBuilder script = new StringBuilder();
        for (String p : parts) {
            script.append(p).append(' ');
        }
        script.append("exec");
        for (String arg : command) {
            script.append(' ').append(ShellQuoting.quote(arg));
        }
        return List.of("CMD-SHELL", script.toString());
    }

    @Override
    public String toString() {
        return "ReadinessCheck[command=" + command + ", env names=" + env.keySet().stream().sorted().toList() + "]";
    }
}
