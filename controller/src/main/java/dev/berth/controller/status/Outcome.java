package dev.berth.controller.status;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.controller.validation.SpecViolations;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one reconcile concluded about a resource: its {@code Ready} condition, a one-word state for
 * {@code kubectl get}, kind-specific conditions (e.g. Reachable, DockerReady) and when to look again.
 * {@code warning} marks outcomes a person should act on: their Event is of type Warning.
 */
public record Outcome(boolean ready, String reason, String message, String state, boolean warning,
        List<Condition> extraConditions, Optional<Duration> recheckAfter) {

    public Outcome {
        extraConditions = List.copyOf(extraConditions);
    }

    public static Outcome ready(String message) {
        return new Outcome(true, "Ready", message, "Ready", false, List.of(), Optional.empty());
    }

    public static Outcome notReady(String reason, String message, String state, boolean warning) {
        return new Outcome(false, reason, message, state, warning, List.of(), Optional.empty());
    }

    /** A referenced object ({@code field} names it) is missing; the reference's informer re-triggers when it appears. */
    public static Outcome missingReference(String reason, String kind, String name, String field, String namespace) {
        return notReady(reason, kind + " " + name + " (" + field + ") does not exist in namespace " + namespace
                + "; Berth reconciles again when it is created", "Waiting", true);
    }

    public static Outcome invalidSpec(SpecViolations violations) {
        return notReady(Berth.REASON_INVALID_SPEC, violations.message(), "Invalid", true);
    }

    /** Honest status for a kind whose convergence on real hosts has not been built yet: never claims Ready. */
    public static Outcome convergenceNotImplemented(String kind) {
        return notReady(Berth.REASON_NOT_CONVERGED, "Spec accepted and mirrored; Berth does not converge "
                + kind + " resources onto hosts yet, so nothing runs for it", "Pending", false);
    }

    public static Outcome suspended() {
        return notReady(Berth.REASON_SUSPENDED, "spec.suspend is true: Berth performs no operations for it",
                "Suspended", false);
    }

    public Outcome withExtraConditions(List<Condition> conditions) {
        return new Outcome(ready, reason, message, state, warning, conditions, recheckAfter);
    }

    /** With {@code after} as the recheck when present; as it is otherwise. */
    public Outcome withRecheckIfAny(Optional<Duration> after) {
        return after.map(this::withRecheckAfter).orElse(this);
    }

    public Outcome withRecheckAfter(Duration after) {
        return new Outcome(ready, reason, message, state, warning, extraConditions, Optional.of(after));
    }
}
