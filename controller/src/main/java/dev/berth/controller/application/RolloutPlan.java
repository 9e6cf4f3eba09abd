package dev.berth.controller.application;

import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.host.ObservedContainer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to do on the host in one reconcile, and what it means: the result of {@link RolloutPlanner#plan}. Pure data.
 *
 * @param phase where the Application stands once {@code actions} are applied
 * @param actions in order: removals of leftovers, stops, creates, starts (or, for a failed rollout, removing the new
 *     containers and starting the previous ones again)
 * @param failing for {@link Phase#FAILED}: the container that failed (its last log lines go into status)
 * @param failure for {@link Phase#FAILED}: why, for people
 * @param recheckAt when to look again while waiting (a rollout in progress, containers starting)
 * @param drift what was found changed out of band (repaired by {@code actions}, unless {@link Phase#DRIFT_BACKOFF})
 * @param servingNew true when the containers of the desired configuration are the serving set afterwards
 * @param previousServes for {@link Phase#HELD} and {@link Phase#FAILED}: a previous version is there to serve
 * @param draining containers taken out of DNS by this plan ({@link Demote}) or still draining: they stop later
 */
public record RolloutPlan(Phase phase, List<Action> actions, ObservedContainer failing, String failure,
        Optional<Instant> recheckAt, List<Drift> drift, boolean servingNew, boolean previousServes, int draining,
        String detail) {

    /** Label: the deployment (history row) that created the container. */
    public static final String LABEL_DEPLOYMENT = ObservedContainer.LABEL_DEPLOYMENT;
    /** Label: until when the container may take to become healthy, RFC 3339; written at creation. */
    public static final String LABEL_DEADLINE = ObservedContainer.LABEL_DEADLINE;

    public RolloutPlan {
        actions = List.copyOf(actions);
        drift = List.copyOf(drift);
    }

    public enum Phase {
        /** spec.suspend: containers stopped and kept. */
        SUSPENDED,
        /** The desired configuration failed before: not retried; the previous version (if any) keeps serving. */
        HELD,
        /** New containers are starting; waiting for them to be healthy before the deadline. */
        ROLLING_OUT,
        /** The new containers are healthy; the previous ones are removed by this plan. */
        SUCCEEDED,
        /** The new containers failed or missed the deadline; removed by this plan, the previous ones kept. */
        FAILED,
        /** Every container of the desired configuration runs and is healthy. */
        RUNNING,
        /** Containers of the desired configuration are (re)starting: put back after drift, scaled up, health pending. */
        STARTING,
        /** A container runs but Docker reports it unhealthy (or it is restarting, or paused). */
        UNHEALTHY,
        /** Drift found, but it was repaired too often lately: repair waits for the backoff. */
        DRIFT_BACKOFF
    }

    /** What to do to one container. */
    public sealed interface Action permits Create, Start, Promote, Demote, Stop, Remove {
    }

    /**
     * Create (and then start) a container from a template of {@link DesiredState}: on the network, without the
     * Application's alias (it serves once {@link Promote}d).
     */
    public record Create(ContainerSpec template) implements Action {
    }

    /** Put the Application's DNS alias on a healthy container: clients are sent to it from now on. */
    public record Promote(String id, String name) implements Action {
    }

    /**
     * Take the alias off a serving container, keeping its address: no new client is sent to it, the requests it has
     * carry on; it is stopped once {@link DesiredState#drain()} has passed.
     */
    public record Demote(String id, String name) implements Action {
    }

    public record Start(String id, String name) implements Action {
    }

    public record Stop(String id, String name) implements Action {
    }

    public record Remove(String id, String name, String why) implements Action {
    }

    /** A change made to a container behind Berth's back. */
    public record Drift(Kind kind, String container) {
        public enum Kind {
            /** Stopped (or exited) while it should run. */
            STOPPED,
            /** Removed while it should exist. */
            REMOVED,
            /** Replaced by something else under its labels (another image). */
            CHANGED
        }

        public String describe() {
            return switch (kind) {
                case STOPPED -> "container " + container + " was stopped";
                case REMOVED -> "container " + container + " was removed";
                case CHANGED -> "container " + container + " was changed";
            };
        }
    }

    /** The template with the labels of the rollout that creates it: the deployment id and the health deadline. */
    public static ContainerSpec forRollout(ContainerSpec template, String deploymentId, Instant deadline) {
        Map<String, String> labels = new LinkedHashMap<>(template.labels());
        if (deploymentId != null) {
            labels.put(LABEL_DEPLOYMENT, deploymentId);
        }
        labels.put(LABEL_DEADLINE, deadline.toString());
        return template.withLabels(labels);
    }

    public boolean writes() {
        return !actions.isEmpty();
    }
}
