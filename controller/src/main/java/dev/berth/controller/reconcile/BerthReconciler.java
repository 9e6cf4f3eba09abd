package dev.berth.controller.reconcile;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.BerthStatus;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.status.ConditionAggregator;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.validation.SpecViolations;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The path every kind shares: validate the spec → check references → (converge: per kind, later issues) →
 * mirror into PostgreSQL → compute status → write it only if it changed ({@link #writeStatus}, so that the next look
 * sees it), with an Event when Ready flips.
 *
 * <p>A bad spec is a person's problem, not a transient one: it ends as {@code Ready=False/InvalidSpec} without an
 * exception or a reschedule, so there is no retry storm; the next spec edit (a new generation) reconciles again.
 * Exceptions are left for transient failures, which JOSDK retries with the kind's {@code @GradualRetry}.
 *
 * <p>The primary type comes first: JOSDK reads the resource class from the first type argument.
 *
 * <p>Subclasses add the kind's validation, references and, in later issues, {@link #converge} (observe → plan →
 * apply). The default {@code converge} says honestly that nothing runs yet.
 */
public abstract class BerthReconciler<P extends CustomResource<?, S>, S extends BerthStatus>
        implements Reconciler<P>, Cleaner<P> {

    /** How soon to look again while the mirror is behind, so the Mirrored condition catches up. */
    static final Duration MIRROR_BEHIND_RECHECK = Duration.ofSeconds(30);

    protected final Logger log = LoggerFactory.getLogger(getClass());
    protected final ReconcilerServices services;
    private final String kind;
    private final Class<S> statusClass;

    protected BerthReconciler(String kind, Class<S> statusClass, ReconcilerServices services) {
        this.kind = kind;
        this.statusClass = statusClass;
        this.services = services;
    }

    /** The spec's problems, each naming its field; empty when valid. Pure: no I/O. */
    protected abstract SpecViolations validate(P resource);

    /** A referenced object that is missing, as an outcome; empty when all references resolve. */
    protected Optional<Outcome> checkReferences(P resource, Context<P> context) {
        return Optional.empty();
    }

    protected abstract boolean suspended(P resource);

    /**
     * Brings the world in line with the spec and fills kind-specific status fields of {@code status}. Here: not
     * implemented yet for any kind, and the status says so (never Ready).
     */
    protected Outcome converge(P resource, Context<P> context, S status) {
        return Outcome.convergenceNotImplemented(kind);
    }

    @Override
    public UpdateControl<P> reconcile(P resource, Context<P> context) {
        S previous = resource.getStatus();
        S next = copyOf(previous, context);
        Long generation = resource.getMetadata().getGeneration();

        SpecViolations violations = validate(resource);
        Outcome outcome;
        if (!violations.isEmpty()) {
            outcome = Outcome.invalidSpec(violations);
        } else {
            outcome = checkReferences(resource, context)
                    .orElseGet(() -> suspended(resource) ? Outcome.suspended() : converge(resource, context, next));
        }

        next.setObservedGeneration(generation);
        next.setState(outcome.state());
        ConditionAggregator conditions = new ConditionAggregator(
                previous == null ? null : previous.getConditions(), generation, services.clock().instant());
        conditions.set(Berth.CONDITION_READY, outcome.ready(), outcome.reason(), outcome.message());
        outcome.extraConditions().forEach(conditions::set);
        boolean behindBefore = services.mirror().isBehind();
        setMirrored(conditions, behindBefore);
        next.setConditions(conditions.build());

        // An invalid spec is not mirrored: the database's constraints assume a valid spec, and a row that can never
        // be written would keep the whole mirror "behind". The row keeps the last valid spec; status says why.
        if (violations.isEmpty()) {
            resource.setStatus(next); // the row carries the status about to be written
            boolean behindAfter = mirror(resource);
            if (behindAfter != behindBefore) {
                setMirrored(conditions, behindAfter);
                next.setConditions(conditions.build());
            }
        }

        boolean changed = !Objects.equals(previous, next);
        if (changed) {
            writeStatus(resource, previous, next, context);
        }
        // After the status: an Event tells of what status already shows, and does not hold it up.
        recordTransitions(resource, previous, next, outcome);
        resource.setStatus(next);
        services.meters().counter("berth.reconciles", "kind", kind,
                "result", changed ? "status_written" : "unchanged").increment();

        UpdateControl<P> control = UpdateControl.noUpdate(); // the status is written above, where it is also cached
        Optional<Duration> recheck = outcome.recheckAfter();
        if (isMirrorBehind(next)) {
            recheck = Optional.of(recheck.filter(d -> d.compareTo(MIRROR_BEHIND_RECHECK) < 0)
                    .orElse(MIRROR_BEHIND_RECHECK));
        }
        recheck.ifPresent(d -> control.rescheduleAfter(d));
        return control;
    }

    @Override
    public DeleteControl cleanup(P resource, Context<P> context) {
        // State outside the cluster goes here first (containers, volumes: later issues); then the mirror row.
        try {
            services.mirror().markDeleted(resource);
        } catch (RuntimeException e) {
            // The Mirror contract is never to throw; if it does anyway, the finalizer must not block deletion forever.
            log.warn("{} {}: mirror soft-delete failed ({}); the start-up re-sync will catch up", kind,
                    ref(resource), e.getClass().getSimpleName());
        }
        log.info("{} {} deleted: mirror row soft-deleted, finalizer removed", kind, ref(resource));
        return DeleteControl.defaultDelete();
    }

    /**
     * Writes {@code next} as the status of {@code resource} (which this look read with status {@code previous}) so
     * that the next look sees it: JOSDK does not put a status returned in {@code UpdateControl.patchStatus} into its
     * cache, so a look that starts before the informer has caught up would work from the status one write old (and,
     * say, begin again what this look finished). Here the status is a JSON patch on {@code /status} (server-side
     * apply is off, see BerthOperator) locked to the resourceVersion this look started from, and what the API server
     * answers goes into the primary cache JOSDK reads the next look from ({@link PrimaryUpdateAndCacheUtils}); the
     * informer's own copy replaces it once it arrives.
     *
     * <p>A conflict (HTTP 409: the resource changed since this look read it, e.g. a spec edit) does not lose the
     * write: JOSDK waits until the informer has the newer version and writes the same status onto it, at most ten
     * times; the change that caused the conflict brings its own look. Any other failure is thrown, and JOSDK retries
     * the look with the kind's {@code @GradualRetry}.
     */
    protected static <P extends CustomResource<?, S>, S> void writeStatus(P resource, S previous, S next,
            Context<P> context) {
        resource.setStatus(previous); // the JSON patch is the difference from what the API server holds
        PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(resource, context, r -> {
            r.setStatus(next);
            return r;
        });
    }

    public String kind() {
        return kind;
    }

    private boolean mirror(P resource) {
        try {
            services.mirror().upsert(resource);
        } catch (RuntimeException e) {
            log.warn("{} {}: mirror upsert failed ({})", kind, ref(resource), e.getClass().getSimpleName());
            return true;
        }
        return services.mirror().isBehind();
    }

    private static void setMirrored(ConditionAggregator conditions, boolean behind) {
        if (behind) {
            conditions.set(Berth.CONDITION_MIRRORED, false, Berth.REASON_MIRROR_BEHIND,
                    "PostgreSQL is unreachable or slow; the mirror rows will catch up when it is back, nothing is lost");
        } else {
            conditions.set(Berth.CONDITION_MIRRORED, true, Berth.REASON_MIRROR_IN_SYNC, "The mirror rows are current");
        }
    }

    private static boolean isMirrorBehind(BerthStatus status) {
        return status.condition(Berth.CONDITION_MIRRORED).map(c -> Condition.FALSE.equals(c.getStatus())).orElse(false);
    }

    /** Events (and a log line) when Ready's status or reason changes, and when the mirror falls behind or recovers. */
    private void recordTransitions(P resource, S previous, S next, Outcome outcome) {
        Optional<Condition> oldReady = previous == null ? Optional.empty() : previous.condition(Berth.CONDITION_READY);
        Condition newReady = next.condition(Berth.CONDITION_READY).orElseThrow();
        boolean readyChanged = oldReady.map(c -> !Objects.equals(c.getStatus(), newReady.getStatus())
                || !Objects.equals(c.getReason(), newReady.getReason())).orElse(true);
        boolean invalidMessageChanged = Berth.REASON_INVALID_SPEC.equals(newReady.getReason())
                && oldReady.map(c -> !Objects.equals(c.getMessage(), newReady.getMessage())).orElse(true);
        if (readyChanged || invalidMessageChanged) {
            log.info("{} {}: Ready={} ({}): {}", kind, ref(resource), newReady.getStatus(), newReady.getReason(),
                    newReady.getMessage());
            services.events().record(resource, outcome.warning() ? EventRecorder.WARNING : EventRecorder.NORMAL,
                    newReady.getReason(), newReady.getMessage());
        }
        Optional<String> oldMirrored = previous == null ? Optional.empty()
                : previous.condition(Berth.CONDITION_MIRRORED).map(Condition::getStatus);
        Condition newMirrored = next.condition(Berth.CONDITION_MIRRORED).orElseThrow();
        if (oldMirrored.isPresent() && !oldMirrored.get().equals(newMirrored.getStatus())) {
            services.events().record(resource,
                    Condition.TRUE.equals(newMirrored.getStatus()) ? EventRecorder.NORMAL : EventRecorder.WARNING,
                    newMirrored.getReason(), newMirrored.getMessage());
        }
    }

    private S copyOf(S previous, Context<P> context) {
        if (previous != null) {
            return context.getClient().getKubernetesSerialization().clone(previous);
        }
        try {
            return statusClass.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("status class " + statusClass.getName() + " needs a public no-arg constructor", e);
        }
    }

    protected static String ref(CustomResource<?, ?> resource) {
        return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    }
}
