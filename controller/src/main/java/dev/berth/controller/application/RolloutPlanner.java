package dev.berth.controller.application;

import dev.berth.controller.application.ObservedContainer.State;
import dev.berth.controller.application.RolloutPlan.Action;
import dev.berth.controller.application.RolloutPlan.Create;
import dev.berth.controller.application.RolloutPlan.Drift;
import dev.berth.controller.application.RolloutPlan.Phase;
import dev.berth.controller.application.RolloutPlan.Remove;
import dev.berth.controller.application.RolloutPlan.Start;
import dev.berth.controller.application.RolloutPlan.Stop;
import dev.berth.controller.docker.ContainerSpec;
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
 * The plan: desired state against the containers found on the host (by label) → what to create, start, stop and
 * remove, and where the Application stands. Pure and level-based: it looks only at its input, so an operator that
 * restarts mid-rollout picks up where the host is (the deadline is a label on the new containers).
 *
 * <p>The containers found split into <em>new</em> (the desired config hash) and <em>previous</em> (any other hash:
 * the version serving before; of those, containers that are not in the serving set of status.containers are
 * leftovers of an abandoned rollout and are removed). A rollout is in progress while previous containers exist, or
 * before any version ever served (the first deploy).
 */
public final class RolloutPlanner {
    /** How often a rollout in progress is looked at again (each look reads Docker; nothing sleeps). */
    static final Duration POLL = Duration.ofSeconds(2);

    private RolloutPlanner() {
    }

    /**
     * @param servingIds the containers serving as recorded in status.containers (empty before the first rollout)
     * @param failedHash the config hash whose rollout failed (status.failedConfigHash), or null
     * @param resuming the previous status said Suspended: starting stopped containers is not drift
     * @param driftRepairAllowed false while drift repairs are backing off
     */
    public record Input(DesiredState desired, List<ObservedContainer> observed, Set<String> servingIds,
            String failedHash, boolean suspended, boolean resuming, boolean driftRepairAllowed, Instant now) {
    }

    public static RolloutPlan plan(Input in) {
        DesiredState desired = in.desired();
        String hash = desired.configHash();
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
        desired.containers().forEach(t -> wanted.put(t.name(), t));
        Map<String, ObservedContainer> freshByName = new LinkedHashMap<>();
        List<ObservedContainer> extra = new ArrayList<>();
        for (ObservedContainer c : fresh) {
            if (wanted.containsKey(c.name()) && !freshByName.containsKey(c.name())) {
                freshByName.put(c.name(), c);
            } else {
                extra.add(c);
            }
        }
        boolean rollingOut = !others.isEmpty() || in.servingIds().isEmpty();

        if (in.suspended()) {
            return suspend(in, fresh, previous, stale, rollingOut);
        }
        if (hash.equals(in.failedHash())) {
            return held(in, fresh, previous, stale);
        }
        if (rollingOut) {
            return rollout(in, wanted, freshByName, extra, previous, stale);
        }
        return steady(in, wanted, freshByName, extra);
    }

    private static RolloutPlan suspend(Input in, List<ObservedContainer> fresh, List<ObservedContainer> previous,
            List<ObservedContainer> stale, boolean abandonRollout) {
        List<Action> actions = new ArrayList<>();
        stale.forEach(c -> actions.add(new Remove(c.id(), c.name(), "left over from an earlier rollout")));
        if (abandonRollout) {
            fresh.forEach(c -> actions.add(new Remove(c.id(), c.name(), "rollout abandoned: suspended")));
        }
        List<ObservedContainer> kept = new ArrayList<>(previous);
        if (!abandonRollout) {
            kept.addAll(fresh);
        }
        kept.stream().filter(c -> c.state() == State.RUNNING || c.state() == State.RESTARTING || c.state() == State.PAUSED)
                .forEach(c -> actions.add(new Stop(c.id(), c.name())));
        return new RolloutPlan(Phase.SUSPENDED, actions, null, null, Optional.empty(), List.of(), !abandonRollout,
                kept.size() + " container(s) stopped and kept");
    }

    private static RolloutPlan held(Input in, List<ObservedContainer> fresh, List<ObservedContainer> previous,
            List<ObservedContainer> stale) {
        List<Action> actions = new ArrayList<>();
        stale.forEach(c -> actions.add(new Remove(c.id(), c.name(), "left over from an earlier rollout")));
        fresh.forEach(c -> actions.add(new Remove(c.id(), c.name(), "its configuration failed to roll out")));
        List<Drift> drift = new ArrayList<>();
        for (ObservedContainer c : previous) {
            if (c.state() == State.EXITED || c.state() == State.CREATED) {
                if (!in.resuming()) {
                    drift.add(new Drift(Drift.Kind.STOPPED, c.name()));
                }
                if (in.driftRepairAllowed() || in.resuming()) {
                    actions.add(new Start(c.id(), c.name()));
                }
            }
        }
        boolean backoff = !drift.isEmpty() && !in.driftRepairAllowed() && !in.resuming();
        return new RolloutPlan(backoff ? Phase.DRIFT_BACKOFF : Phase.HELD, actions, null, null, Optional.empty(),
                drift, false, previous.isEmpty() ? "nothing serving" : previous.size() + " previous container(s) serving");
    }

    private static RolloutPlan rollout(Input in, Map<String, ContainerSpec> wanted,
            Map<String, ObservedContainer> freshByName, List<ObservedContainer> extra,
            List<ObservedContainer> previous, List<ObservedContainer> stale) {
        DesiredState desired = in.desired();
        Instant now = in.now();
        List<Action> cleanup = new ArrayList<>();
        stale.forEach(c -> cleanup.add(new Remove(c.id(), c.name(), "left over from an abandoned rollout")));
        extra.forEach(c -> cleanup.add(new Remove(c.id(), c.name(), "not wanted")));

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
        boolean allThere = freshByName.keySet().containsAll(wanted.keySet());
        boolean allHealthy = allThere && freshByName.values().stream().allMatch(c -> healthy(c, desired, now));
        // Healthy wins over a deadline passed meanwhile (a slow host may have kept Berth from looking in time).
        if (failing == null && !allHealthy && deadline != null && !now.isBefore(deadline)) {
            failing = freshByName.values().stream().filter(c -> !healthy(c, desired, now))
                    .findFirst().orElse(freshByName.values().iterator().next());
            failure = "not healthy within spec.rollout.healthTimeout (" + format(desired.healthTimeout()) + "): "
                    + describe(failing, desired, now);
        }
        if (failing != null) {
            List<Action> actions = new ArrayList<>(cleanup);
            freshByName.values().forEach(c -> actions.add(new Remove(c.id(), c.name(), "rollout failed")));
            previous.stream().filter(c -> c.state() != State.RUNNING && c.state() != State.RESTARTING)
                    .forEach(c -> actions.add(new Start(c.id(), c.name())));
            return new RolloutPlan(Phase.FAILED, actions, failing, failure, Optional.empty(), List.of(), false,
                    previous.isEmpty() ? "nothing serving" : "the previous version keeps serving");
        }

        if (allHealthy) {
            List<Action> actions = new ArrayList<>(cleanup);
            previous.forEach(c -> actions.add(new Remove(c.id(), c.name(), "replaced by the new version")));
            return new RolloutPlan(Phase.SUCCEEDED, actions, null, null, Optional.empty(), List.of(), true,
                    wanted.size() + " new container(s) healthy");
        }

        List<Action> actions = new ArrayList<>(cleanup);
        if (desired.strategy() == DesiredState.Strategy.STOP_FIRST) {
            previous.stream().filter(c -> c.state() == State.RUNNING || c.state() == State.RESTARTING)
                    .forEach(c -> actions.add(new Stop(c.id(), c.name())));
        }
        wanted.forEach((name, template) -> {
            if (!freshByName.containsKey(name)) {
                actions.add(new Create(template));
            }
        });
        freshByName.values().stream().filter(c -> c.state() == State.CREATED)
                .forEach(c -> actions.add(new Start(c.id(), c.name())));
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
        return new RolloutPlan(Phase.ROLLING_OUT, actions, null, null, Optional.of(next), List.of(), false,
                healthy + "/" + wanted.size() + " new container(s) healthy");
    }

    private static RolloutPlan steady(Input in, Map<String, ContainerSpec> wanted,
            Map<String, ObservedContainer> freshByName, List<ObservedContainer> extra) {
        DesiredState desired = in.desired();
        Instant now = in.now();
        List<Action> actions = new ArrayList<>();
        List<Action> repairs = new ArrayList<>();
        List<Drift> drift = new ArrayList<>();
        extra.forEach(c -> actions.add(new Remove(c.id(), c.name(), "not wanted")));
        // A serving container that is gone was removed out of band; a missing replica otherwise is a scale-up.
        long servingGone = in.servingIds().stream()
                .filter(id -> freshByName.values().stream().noneMatch(c -> c.id().equals(id))).count();
        for (Map.Entry<String, ContainerSpec> e : wanted.entrySet()) {
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
            }
        }
        if (!drift.isEmpty() && !in.driftRepairAllowed()) {
            // The serving set stays as recorded: a removed container must still count as removed next time.
            return new RolloutPlan(Phase.DRIFT_BACKOFF, actions, null, null, Optional.empty(), drift, false,
                    "repair postponed");
        }
        actions.addAll(repairs);
        boolean acting = actions.stream().anyMatch(a -> a instanceof Create || a instanceof Start);
        List<ObservedContainer> present = new ArrayList<>(freshByName.values());
        Optional<ObservedContainer> sick = present.stream().filter(c -> "unhealthy".equals(c.health())
                || c.state() == State.RESTARTING || c.state() == State.PAUSED).findFirst();
        Phase phase;
        String detail;
        if (sick.isPresent()) {
            phase = Phase.UNHEALTHY;
            detail = describe(sick.get(), desired, now);
        } else if (acting || !present.stream().allMatch(c -> healthy(c, desired, now))) {
            phase = Phase.STARTING;
            detail = present.stream().filter(c -> healthy(c, desired, now)).count() + "/" + wanted.size()
                    + " container(s) healthy";
        } else {
            phase = Phase.RUNNING;
            detail = wanted.size() + " container(s) running";
        }
        Optional<Instant> recheck = phase == Phase.STARTING ? Optional.of(now.plus(POLL)) : Optional.empty();
        return new RolloutPlan(phase, actions, null, null, recheck, drift, true, detail);
    }

    /**
     * True when the new containers this rollout plan creates or starts are healthy the moment they run: no Docker
     * health check and no start period. Then nothing is worth waiting {@link #POLL} for: the deployer inspects them
     * once right after starting them and plans again in the same look ({@link #finishInSameLook}).
     */
    static boolean healthyOnceRunning(DesiredState desired, RolloutPlan plan) {
        return plan.phase() == Phase.ROLLING_OUT && !desired.dockerHealthCheck()
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
        for (Action a : actions) {
            if (a instanceof Remove r) {
                removed.add(r.id());
            } else if (a instanceof Stop s) {
                stopped.add(s.id());
            }
        }
        Map<String, ObservedContainer> byId = new LinkedHashMap<>();
        for (ObservedContainer c : observed) {
            if (removed.contains(c.id())) {
                continue;
            }
            byId.put(c.id(), stopped.contains(c.id()) && c.state() != State.CREATED
                    ? new ObservedContainer(c.id(), c.name(), c.image(), c.configHash(), State.EXITED, c.health(),
                            c.startedAt(), c.deadline(), c.deploymentId())
                    : c);
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
        RolloutPlan again = plan(new Input(in.desired(), afterActions(in.observed(), first.actions(), inspected),
                in.servingIds(), in.failedHash(), in.suspended(), in.resuming(), in.driftRepairAllowed(), now));
        return again.phase() == Phase.SUCCEEDED ? Optional.of(again) : Optional.empty();
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
        return dev.berth.controller.Durations.format(d);
    }
}
