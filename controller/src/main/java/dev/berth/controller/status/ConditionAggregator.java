package dev.berth.controller.status;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a status' conditions from what one reconcile found (after Keycloak's status aggregator): each condition
 * is set once, {@code Ready} comes first, and {@code lastTransitionTime} is carried over from the previous
 * conditions unless the status flipped, so recomputing the same facts yields an equal list (and no API write).
 */
public final class ConditionAggregator {
    private final Map<String, Condition> previous = new LinkedHashMap<>();
    private final Map<String, Condition> next = new LinkedHashMap<>();
    private final Long generation;
    private final String now;

    public ConditionAggregator(List<Condition> previousConditions, Long generation, Instant now) {
        if (previousConditions != null) {
            previousConditions.forEach(c -> previous.put(c.getType(), c));
        }
        this.generation = generation;
        // Seconds, as Kubernetes' own metav1.Time: sub-second noise would defeat equality for no benefit.
        this.now = now.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public ConditionAggregator set(String type, boolean status, String reason, String message) {
        return set(type, status ? Condition.TRUE : Condition.FALSE, reason, message);
    }

    public ConditionAggregator set(String type, String status, String reason, String message) {
        Condition old = previous.get(type);
        String transition = old != null && Objects.equals(old.getStatus(), status) && old.getLastTransitionTime() != null
                ? old.getLastTransitionTime() : now;
        next.put(type, new Condition(type, status, reason, message, transition, generation));
        return this;
    }

    public ConditionAggregator set(Condition c) {
        return set(c.getType(), c.getStatus(), c.getReason(), c.getMessage());
    }

    /** The conditions set on this aggregator, Ready first; conditions not set this time are dropped. */
    public List<Condition> build() {
        List<Condition> out = new ArrayList<>();
        if (next.containsKey(Berth.CONDITION_READY)) {
            out.add(next.get(Berth.CONDITION_READY));
        }
        next.forEach((type, c) -> {
            if (!type.equals(Berth.CONDITION_READY)) {
                out.add(c);
            }
        });
        return out;
    }
}
