package dev.berth.controller.application;

import dev.berth.controller.application.RolloutPlan.Action;
import dev.berth.controller.application.RolloutPlan.Create;
import dev.berth.controller.application.RolloutPlan.Demote;
import dev.berth.controller.application.RolloutPlan.Drift;
import dev.berth.controller.application.RolloutPlan.Phase;
import dev.berth.controller.application.RolloutPlan.Promote;
import dev.berth.controller.application.RolloutPlan.Remove;
import dev.berth.controller.application.RolloutPlan.Start;
import dev.berth.controller.application.RolloutPlan.Stop;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.host.ObservedContainer;
import dev.berth.controller.host.ObservedContainer.State;
import dev.berth.controller.validation.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The plan: desired state against the containers found on the host (by label) → what to create, start, promote,
 * demote, stop and remove, and where the Application stands. Pure and level-based: it looks only at its input, so an
 * operator that restarts mid-rollout picks up where the host is (the health deadline is a label on the new
 * containers; whether a container serves is whether it carries the Application's alias).
 *
 * <p>The containers found split into <em>new</em> (the desired config hash) and <em>previous</em> (any other hash:
 * the version serving before; of those, containers that are not in the serving set of status.containers are
 * leftovers of an abandoned rollout). A rollout is in progress while the new containers do not all serve and there
 * is a previous version, or before any version ever served (the first deploy).
 *
 * <p>Traffic moves by DNS alias, never by stopping what serves: new containers are created without the alias and
 * {@link RolloutPlan.Promote}d once all are healthy; a container that goes (replaced, scaled away, suspended,
 * deleted) is first {@link RolloutPlan.Demote}d, then given {@link DesiredState#drain()} for the requests it has,
 * and only then stopped (its grace period) and removed. Every wait is a recheck time, never a sleep.
 */
public final class RolloutPlanner {
    /** How often a rollout in progress is looked at again (each look reads Docker; nothing sleeps). */
    static final Duration POLL = Duration.ofSeconds(2);

    private RolloutPlanner() {
    }

    /**
     * @param servingIds the containers serving as recorded in status.containers (empty before the first rollout)
     * @param failedHash the config hash whose rollout failed (status.failedConfigHash), or null
     * @param resuming the previous status was suspended: starting stopped containers is not drift
     * @param driftRepairAllowed false while drift repairs are backing off
     * @param draining containers this process took out of DNS, and until when they drain
     */
    public record Input(DesiredState desired, List<ObservedContainer> observed, Set<String> servingIds,
            String failedHash, boolean suspended, boolean resuming, boolean driftRepairAllowed, Instant now,
            Map<String, Instant> draining) {

        public Input {
            draining = Map.copyOf(draining);
        }

        public Input(DesiredState desired, List<ObservedContainer> observed, Set<String> servingIds, String failedHash,
                boolean suspended, boolean resuming, boolean driftRepairAllowed, Instant now) {
            this(desired, observed, servingIds, failedHash, suspended, resuming, driftRepairAllowed, now, Map.of());
        }

        Input at(List<ObservedContainer> nowObserved, Instant later) {
            return new Input(desired, nowObserved, servingIds, failedHash, suspended, resuming, driftRepairAllowed,
                    later, draining);
        }
    }

    /** The containers found, sorted into what the plan needs. */
    private record Sorted(Map<String, ContainerSpec> wanted, Map<String, ObservedContainer> freshByName,
            List<ObservedContainer> fresh, List<ObservedContainer> extra, List<ObservedContainer> others,
            List<ObservedContainer> previous, List<ObservedContainer> stale) {

        static Sorted of(Input in) {
            String hash = in.desired().configHash();
            List<ObservedContainer> fresh = new ArrayList<>();
            List<ObservedContainer> others = new ArrayList<>();
            for (ObservedContainer c : in.observed()) {
                (hash.equals(c.configHash()) ? fresh : others).add(c);
            }
            List<ObservedContainer> servingOthers = others.stream().filter(c -> in.servingIds().contains(c.id())).toList();
            // When none of them is recorded as serving (status lost, or written before they existed), all of them are
            // treated as the previous version: never remove what might be serving before the new version is healthy.
            List<ObservedContainer> previous = servingOthers.isEmpty() ? others : servingOthers;
            List<ObservedContainer> stale = others.stream().filter(c -> !previous.contains(c)).toList();
            Map<String, ContainerSpec> wanted = new LinkedHashMap<>();
            in.desired().containers().forEach(t -> wanted.put(t.name(), t));
            Map<String, ObservedContainer> freshByName = new LinkedHashMap<>();
            List<ObservedContainer> extra = new ArrayList<>();
            for (ObservedContainer c : fresh) {
                if (wanted.containsKey(c.name()) && !freshByName.containsKey(c.name())) {
                    freshByName.put(c.name(), c);
                } else {
                    extra.add(c);
                }
            }
            return new Sorted(wanted, freshByName, fresh, extra, others, previous, stale);
        }

        /** Every wanted container of the desired configuration is there and serves. */
        boolean newServing() {
            return wanted.keySet().stream().allMatch(n -> freshByName.containsKey(n) && freshByName.get(n).serving());
        }
    }

    /**
     * Taking containers out of service, one step per look: demote (out of DNS), drain, stop, remove. Collects the
     * actions and the earliest time a draining container may go on.
     */
    private static final class Retirement {
        private final Instant now;
        private final Duration drain;
        private final Map<String, Instant> drainingUntil;
        private final String desiredHash;
        private final Set<String> servingIds;
        final List<Action> actions = new ArrayList<>();
        Instant wakeAt;
        int draining;

        Retirement(Instant now, Duration drain, Map<String, Instant> drainingUntil, String desiredHash,
                Set<String> servingIds) {
            this.now = now;
            this.drain = drain;
            this.drainingUntil = drainingUntil;
            this.desiredHash = desiredHash;
            this.servingIds = servingIds;
        }

        Retirement(Input in) {
            this(in.now(), in.desired().drain(), in.draining(), in.desired().configHash(), in.servingIds());
        }

        /**
         * @param keep stop it and keep it (suspend), rather than remove it
         */
        void retire(ObservedContainer c, boolean keep, String why) {
            if (c.serving()) {
                actions.add(new Demote(c.id(), c.name()));
                draining++;
                wake(now.plus(drain));
                return;
            }
            boolean alive = c.state() == State.RUNNING || c.state() == State.RESTARTING || c.state() == State.PAUSED;
            Instant until = drainingUntil.get(c.id());
            if (alive && until != null && now.isBefore(until)) {
                draining++;
                wake(until);
                return;
            }
            // A container that may have served gets its stop signal and grace period; a new one that never served
            // (a failed or abandoned rollout) has nothing to finish.
            boolean mayHaveServed = until != null || !Objects.equals(desiredHash, c.configHash())
                    || servingIds.contains(c.id());
            if (alive && (keep || mayHaveServed)) {
                actions.add(new Stop(c.id(), c.name()));
            }
            if (!keep) {
                actions.add(new Remove(c.id(), c.name(), why));
            }
        }

        void wake(Instant t) {
            if (wakeAt == null || t.isBefore(wakeAt)) {
                wakeAt = t;
            }
        }

        Optional<Instant> earliest(Optional<Instant> other) {
            if (wakeAt == null) {
                return other;
            }
            return Optional.of(other.filter(o -> o.isBefore(wakeAt)).orElse(wakeAt));
        }
    }

    public static RolloutPlan plan(Input in) {
        Sorted s = Sorted.of(in);
        boolean rollingOut = !s.newServing() && (!s.others().isEmpty() || in.servingIds().isEmpty());
        if (in.suspended()) {
            return suspend(in, s, rollingOut);
        }
        if (in.desired().configHash().equals(in.failedHash())) {
            return held(in, s);
        }
        if (rollingOut) {
            return rollout(in, s);
        }
        return steady(in, s);
    }

    /**
     * Everything goes, the gentle way (the Application is deleted): the plan's actions for this look and, while a
     * container drains, when to look again.
     */
    public static RolloutPlan retireAll(List<ObservedContainer> observed, Map<String, Instant> drainingUntil,
            Duration drain, Instant now) {
        Retirement r = new Retirement(now, drain, drainingUntil, null, Set.of());
        observed.forEach(c -> r.retire(c, false, "the Application was deleted"));
        return new RolloutPlan(Phase.SUSPENDED, r.actions, null, null, r.earliest(Optional.empty()), List.of(), false,
                false, r.draining, r.draining > 0 ? r.draining + " container(s) draining before they stop"
                        : observed.size() + " container(s) removed");
    }

    private static RolloutPlan suspend(Input in, Sorted s, boolean abandonRollout) {
        Retirement r = new Retirement(in);
        List<ObservedContainer> kept = new ArrayList<>();
        if (abandonRollout) {
            s.stale().forEach(c -> r.retire(c, false, "left over from an earlier rollout"));
            s.fresh().forEach(c -> r.retire(c, false, "rollout abandoned: suspended"));
            kept.addAll(s.previous());
        } else {
            s.others().forEach(c -> r.retire(c, false, "replaced by the new version"));
            s.extra().forEach(c -> r.retire(c, false, "not wanted"));
            kept.addAll(s.freshByName().values());
        }
        kept.forEach(c -> r.retire(c, true, "suspended"));
        return new RolloutPlan(Phase.SUSPENDED, r.actions, null, null, r.earliest(Optional.empty()), List.of(),
                !abandonRollout, false, r.draining, r.draining > 0
                        ? r.draining + " container(s) draining before they stop"
                        : kept.size() + " container(s) stopped and kept");
    }

    private static RolloutPlan held(Input in, Sorted s) {
        Retirement r = new Retirement(in);
        s.stale().forEach(c -> r.retire(c, false, "left over from an earlier rollout"));
        s.fresh().forEach(c -> r.retire(c, false, "its configuration failed to roll out"));
        List<Action> actions = new ArrayList<>(r.actions);
        List<Drift> drift = new ArrayList<>();
        for (ObservedContainer c : s.previous()) {
            if (c.state() == State.EXITED || c.state() == State.CREATED) {
                if (!in.resuming()) {
                    drift.add(new Drift(Drift.Kind.STOPPED, c.name()));
                }
                if (in.driftRepairAllowed() || in.resuming()) {
                    actions.add(new Start(c.id(), c.name()));
                }
            } else if (readyToServe(c) && !c.serving()) {
                // Started again after the failure (stop-first): it serves again once it is up.
                actions.add(new Promote(c.id(), c.name()));
            }
        }
        boolean backoff = !drift.isEmpty() && !in.driftRepairAllowed() && !in.resuming();
        boolean previousServes = !s.previous().isEmpty();
        return new RolloutPlan(backoff ? Phase.DRIFT_BACKOFF : Phase.HELD, actions, null, null,
                r.earliest(s.previous().stream().anyMatch(c -> c.running() && !readyToServe(c))
                        ? Optional.of(in.now().plus(POLL)) : Optional.empty()),
                drift, false, previousServes, r.draining, previousServes
                        ? s.previous().size() + " previous container(s) serving" : "nothing serving");
    }

    private static RolloutPlan rollout(Input in, Sorted s) {
        DesiredState desired = in.desired();
        Instant now = in.now();
        Map<String, ObservedContainer> freshByName = s.freshByName();
        List<ObservedContainer> previous = s.previous();
        Retirement r = new Retirement(in);
        s.stale().forEach(c -> r.retire(c, false, "left over from an abandoned rollout"));
        s.extra().forEach(c -> r.retire(c, false, "not wanted"));

        // Judge the new containers as found (before this plan acts).
        ObservedContainer failing = null;
        String failure = null;
        for (ObservedContainer c : freshByName.values()) {
            if (c.state() == State.EXITED) {
                failing = c;
                failure = "container " + c.name() + " exited";
            } else if (c.state() == State.RESTARTING) {
                failing = c;
                failure = "container " + c.name() + " keeps restarting (it exited)";
            } else if ("unhealthy".equals(c.health())) {
                failing = c;
                failure = "container " + c.name() + " is unhealthy (its health check fails)";
            }
            if (failing != null) {
                break;
            }
        }
        Instant deadline = freshByName.values().stream().map(ObservedContainer::deadline).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        boolean allThere = freshByName.keySet().containsAll(s.wanted().keySet());
        boolean allHealthy = allThere && freshByName.values().stream().allMatch(c -> healthy(c, desired, now));
        // Healthy wins over a deadline passed meanwhile (a slow host may have kept Berth from looking in time).
        if (failing == null && !allHealthy && deadline != null && !now.isBefore(deadline)) {
            failing = freshByName.values().stream().filter(c -> !healthy(c, desired, now))
                    .findFirst().orElse(freshByName.values().iterator().next());
            failure = "not healthy within spec.rollout.healthTimeout (" + format(desired.healthTimeout()) + "): "
                    + describe(failing, desired, now);
        }
        if (failing != null) {
            freshByName.values().forEach(c -> r.retire(c, false, "rollout failed"));
            List<Action> actions = new ArrayList<>(r.actions);
            previous.stream().filter(c -> c.state() != State.RUNNING && c.state() != State.RESTARTING)
                    .forEach(c -> actions.add(new Start(c.id(), c.name())));
            previous.stream().filter(c -> readyToServe(c) && !c.serving())
                    .forEach(c -> actions.add(new Promote(c.id(), c.name())));
            return new RolloutPlan(Phase.FAILED, actions, failing, failure, r.earliest(Optional.empty()), List.of(),
                    false, !previous.isEmpty(), r.draining,
                    previous.isEmpty() ? "nothing serving" : "the previous version keeps serving");
        }

        if (allHealthy) {
            // The switch: the new version takes the alias, then the previous one gives it up and drains.
            List<Action> actions = new ArrayList<>();
            freshByName.values().stream().filter(c -> !c.serving())
                    .forEach(c -> actions.add(new Promote(c.id(), c.name())));
            previous.forEach(c -> r.retire(c, false, "replaced by the new version"));
            actions.addAll(r.actions);
            return new RolloutPlan(Phase.SUCCEEDED, actions, null, null, r.earliest(Optional.empty()), List.of(), true,
                    false, r.draining, s.wanted().size() + " new container(s) healthy and serving");
        }

        boolean previousStillUp = false;
        if (desired.strategy() == DesiredState.Strategy.STOP_FIRST) {
            // Stop-first: the previous version drains and stops before a new container is created.
            for (ObservedContainer c : previous) {
                boolean alive = c.state() == State.RUNNING || c.state() == State.RESTARTING || c.state() == State.PAUSED;
                if (alive) {
                    int before = r.draining;
                    r.retire(c, true, "stop-first rollout");
                    previousStillUp |= r.draining > before;
                }
            }
        }
        List<Action> actions = new ArrayList<>(r.actions);
        if (!previousStillUp) {
            s.wanted().forEach((name, template) -> {
                if (!freshByName.containsKey(name)) {
                    actions.add(new Create(template));
                }
            });
            freshByName.values().stream().filter(c -> c.state() == State.CREATED)
                    .forEach(c -> actions.add(new Start(c.id(), c.name())));
        }
        Instant until = deadline != null ? deadline : now.plus(desired.healthTimeout());
        Instant next = now.plus(POLL);
        for (ObservedContainer c : freshByName.values()) {
            if (!desired.dockerHealthCheck() && c.running() && c.startedAt() != null) {
                Instant ready = c.startedAt().plus(desired.startPeriod());
                if (ready.isAfter(now) && ready.isBefore(next)) {
                    next = ready;
                }
            }
        }
        if (until.isBefore(next)) {
            next = until;
        }
        long healthy = freshByName.values().stream().filter(c -> healthy(c, desired, now)).count();
        String detail = previousStillUp
                ? "the previous version drains before it stops (" + r.draining + " container(s))"
                : healthy + "/" + s.wanted().size() + " new container(s) healthy";
        return new RolloutPlan(Phase.ROLLING_OUT, actions, null, null,
                previousStillUp ? r.earliest(Optional.empty()) : r.earliest(Optional.of(next)), List.of(), false,
                false, r.draining, detail);
    }

    private static RolloutPlan steady(Input in, Sorted s) {
        DesiredState desired = in.desired();
        Instant now = in.now();
        Retirement r = new Retirement(in);
        s.others().forEach(c -> r.retire(c, false, "replaced by the new version"));
        s.extra().forEach(c -> r.retire(c, false, "not wanted"));
        List<Action> actions = new ArrayList<>(r.actions);
        List<Action> repairs = new ArrayList<>();
        List<Drift> drift = new ArrayList<>();
        Map<String, ObservedContainer> freshByName = s.freshByName();
        // A serving container that is gone was removed out of band; a missing replica otherwise is a scale-up.
        long servingGone = in.servingIds().stream()
                .filter(id -> freshByName.values().stream().noneMatch(c -> c.id().equals(id))).count();
        for (Map.Entry<String, ContainerSpec> e : s.wanted().entrySet()) {
            ObservedContainer c = freshByName.get(e.getKey());
            if (c == null) {
                if (servingGone > 0) {
                    servingGone--;
                    drift.add(new Drift(Drift.Kind.REMOVED, e.getKey()));
                    repairs.add(new Create(e.getValue()));
                } else {
                    actions.add(new Create(e.getValue()));
                }
            } else if (c.image() != null && !c.image().startsWith("sha256:") && !c.image().equals(desired.image())) {
                drift.add(new Drift(Drift.Kind.CHANGED, c.name()));
                repairs.add(new Remove(c.id(), c.name(), "changed out of band (image " + c.image() + ")"));
                repairs.add(new Create(e.getValue()));
            } else if (c.state() == State.CREATED) {
                actions.add(new Start(c.id(), c.name()));
            } else if (c.state() == State.EXITED) {
                if (in.resuming()) {
                    actions.add(new Start(c.id(), c.name()));
                } else {
                    drift.add(new Drift(Drift.Kind.STOPPED, c.name()));
                    repairs.add(new Start(c.id(), c.name()));
                }
            } else if (!c.serving() && healthy(c, desired, now)) {
                // Scaled up, resumed, or created before an operator restart: it serves once it is healthy.
                actions.add(new Promote(c.id(), c.name()));
            }
        }
        if (!drift.isEmpty() && !in.driftRepairAllowed()) {
            // The serving set stays as recorded: a removed container must still count as removed next time.
            return new RolloutPlan(Phase.DRIFT_BACKOFF, actions, null, null, r.earliest(Optional.empty()), drift, false,
                    false, r.draining, "repair postponed");
        }
        actions.addAll(repairs);
        boolean acting = actions.stream().anyMatch(a -> a instanceof Create || a instanceof Start);
        List<ObservedContainer> present = new ArrayList<>(freshByName.values());
        Set<String> promoted = new java.util.HashSet<>();
        actions.stream().filter(a -> a instanceof Promote).forEach(a -> promoted.add(((Promote) a).id()));
        // Docker keeps the last health status of a stopped container: only a running one is judged by it.
        Optional<ObservedContainer> sick = present.stream().filter(c -> (c.running() && "unhealthy".equals(c.health()))
                || c.state() == State.RESTARTING || c.state() == State.PAUSED).findFirst();
        Phase phase;
        String detail;
        if (sick.isPresent()) {
            phase = Phase.UNHEALTHY;
            detail = describe(sick.get(), desired, now);
        } else if (acting || !present.stream().allMatch(c -> healthy(c, desired, now)
                && (c.serving() || promoted.contains(c.id())))) {
            phase = Phase.STARTING;
            detail = present.stream().filter(c -> healthy(c, desired, now)).count() + "/" + s.wanted().size()
                    + " container(s) healthy";
        } else {
            phase = Phase.RUNNING;
            detail = s.wanted().size() + " container(s) running";
        }
        Optional<Instant> recheck = phase == Phase.STARTING ? Optional.of(now.plus(POLL)) : Optional.empty();
        return new RolloutPlan(phase, actions, null, null, r.earliest(recheck), drift, true, false, r.draining, detail);
    }

    /** A container of another configuration (health judged as Docker reports it): running, and healthy if checked. */
    private static boolean readyToServe(ObservedContainer c) {
        return c.running() && (c.health() == null || "healthy".equals(c.health()));
    }

    /**
     * True when the new containers this rollout plan creates or starts are healthy the moment they run: no Docker
     * health check and no start period. Then nothing is worth waiting {@link #POLL} for: the deployer inspects them
     * once right after starting them and plans again in the same look ({@link #finishInSameLook}).
     */
    static boolean healthyOnceRunning(DesiredState desired, RolloutPlan plan) {
        return (plan.phase() == Phase.ROLLING_OUT || plan.phase() == Phase.STARTING) && !desired.dockerHealthCheck()
                && desired.startPeriod().compareTo(Duration.ZERO) <= 0
                && plan.actions().stream().anyMatch(a -> a instanceof Create || a instanceof Start);
    }

    /**
     * The containers as they are once {@code actions} were applied, without asking the host again: the removed ones
     * gone, the stopped ones exited, and {@code inspected} (the new containers, inspected right after their start)
     * in place of what was seen of them before (by id), or added (created by these actions).
     */
    static List<ObservedContainer> afterActions(List<ObservedContainer> observed, List<Action> actions,
            List<ObservedContainer> inspected) {
        Set<String> removed = new java.util.HashSet<>();
        Set<String> stopped = new java.util.HashSet<>();
        Map<String, Boolean> serving = new java.util.HashMap<>();
        for (Action a : actions) {
            if (a instanceof Remove r) {
                removed.add(r.id());
            } else if (a instanceof Stop s) {
                stopped.add(s.id());
            } else if (a instanceof Promote p) {
                serving.put(p.id(), true);
            } else if (a instanceof Demote d) {
                serving.put(d.id(), false);
            }
        }
        Map<String, ObservedContainer> byId = new LinkedHashMap<>();
        for (ObservedContainer c : observed) {
            if (removed.contains(c.id())) {
                continue;
            }
            ObservedContainer after = stopped.contains(c.id()) && c.state() != State.CREATED ? c.withState(State.EXITED) : c;
            byId.put(c.id(), serving.containsKey(c.id()) ? after.withServing(serving.get(c.id())) : after);
        }
        inspected.forEach(c -> byId.put(c.id(), c));
        List<ObservedContainer> after = new ArrayList<>(byId.values());
        after.sort(Comparator.comparing(c -> c.name() == null ? "" : c.name()));
        return after;
    }

    /**
     * The same look, planned once more with the host as {@code first}'s actions left it ({@link #afterActions}) at
     * {@code now}: the plan that finishes the rollout ({@link Phase#SUCCEEDED}: the previous version goes) when every
     * new container was seen running and that is all its health takes ({@link #healthyOnceRunning}); empty otherwise,
     * and {@code first}'s wait stands (the next look, {@link #POLL} later, judges them as before).
     *
     * @param inspected the containers {@code first} created or started, inspected after their start
     */
    static Optional<RolloutPlan> finishInSameLook(Input in, RolloutPlan first, List<ObservedContainer> inspected,
            Instant now) {
        if (!healthyOnceRunning(in.desired(), first)) {
            return Optional.empty();
        }
        RolloutPlan again = plan(in.at(afterActions(in.observed(), first.actions(), inspected), now));
        return again.phase() == Phase.SUCCEEDED || (first.phase() == Phase.STARTING && again.phase() == Phase.RUNNING)
                ? Optional.of(again) : Optional.empty();
    }

    /** Healthy: running and, with a Docker health check, reported healthy; without one, running for startPeriod. */
    static boolean healthy(ObservedContainer c, DesiredState desired, Instant now) {
        if (!c.running()) {
            return false;
        }
        if (desired.dockerHealthCheck()) {
            return "healthy".equals(c.health());
        }
        return c.startedAt() != null && !c.startedAt().plus(desired.startPeriod()).isAfter(now);
    }

    private static String describe(ObservedContainer c, DesiredState desired, Instant now) {
        String state = switch (c.state()) {
            case CREATED -> "created, never started";
            case RUNNING -> desired.dockerHealthCheck()
                    ? "running, health " + (c.health() == null ? "unknown" : c.health())
                    : "running since " + (c.startedAt() == null ? "?" : c.startedAt());
            case RESTARTING -> "restarting";
            case EXITED -> "exited";
            case PAUSED -> "paused";
            case OTHER -> "in an unexpected state";
        };
        return "container " + c.name() + " is " + state;
    }

    private static String format(Duration d) {
        return dev.berth.controller.validation.Durations.format(d);
    }
}
