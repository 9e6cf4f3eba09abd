package dev.berth.controller.host;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.controller.docker.DockerHost;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * A container of the Application found on the host (by its labels), as the planner needs it.
 *
 * @param health Docker's health status ({@code starting}, {@code healthy}, {@code unhealthy}), null without a check
 *     or when not inspected
 * @param startedAt when it last started (null when never, or not inspected)
 * @param deadline the rollout deadline written on it at creation ({@link #LABEL_DEADLINE}), or null
 * @param serving it runs and carries the Application's DNS alias on its network: clients are sent to it
 */
public record ObservedContainer(String id, String name, String image, String configHash, State state,
        String health, Instant startedAt, Instant deadline, String deploymentId, boolean serving) {

    /** Label: the deployment (history row) that created the container. */
    public static final String LABEL_DEPLOYMENT = "berth.dev/deployment";
    /** Label: until when the container may take to become healthy, RFC 3339; written at creation. */
    public static final String LABEL_DEADLINE = "berth.dev/rollout-deadline";

    /** Serving whenever it runs: how containers were before Berth moved aliases (and how tests mostly want them). */
    public ObservedContainer(String id, String name, String image, String configHash, State state, String health,
            Instant startedAt, Instant deadline, String deploymentId) {
        this(id, name, image, configHash, state, health, startedAt, deadline, deploymentId, state == State.RUNNING);
    }

    public ObservedContainer withServing(boolean now) {
        return new ObservedContainer(id, name, image, configHash, state, health, startedAt, deadline, deploymentId, now);
    }

    public ObservedContainer withState(State now) {
        return new ObservedContainer(id, name, image, configHash, now, health, startedAt, deadline, deploymentId,
                serving && now == State.RUNNING);
    }

    /** Docker's container states, as far as the plan cares. */
    public enum State {
        CREATED, RUNNING, RESTARTING, EXITED, PAUSED, OTHER;

        static State of(String docker) {
            if (docker == null) {
                return OTHER;
            }
            return switch (docker.toLowerCase()) {
                case "created" -> CREATED;
                case "running" -> RUNNING;
                case "restarting" -> RESTARTING;
                case "exited", "dead" -> EXITED;
                case "paused" -> PAUSED;
                default -> OTHER;
            };
        }
    }

    public boolean running() {
        return state == State.RUNNING;
    }

    /**
     * From {@code docker inspect}: the state, health, start time, and whether it serves — it runs and carries
     * {@code alias} on {@code network}.
     */
    public static ObservedContainer of(DockerHost.ContainerState s, String network, String alias) {
        Map<String, String> labels = s.labels();
        State state = State.of(s.status());
        boolean serving = state == State.RUNNING && network != null && alias != null && s.networkAliases() != null
                && s.networkAliases().getOrDefault(network, List.of()).contains(alias);
        return new ObservedContainer(s.id(), s.name(), s.image(), labels.get(Berth.LABEL_CONFIG_HASH),
                state, s.health(), startedAt(s.startedAt()), instant(labels.get(LABEL_DEADLINE)),
                labels.get(LABEL_DEPLOYMENT), serving);
    }

    private static Instant startedAt(String docker) {
        // Docker reports 0001-01-01T00:00:00Z for a container that never started.
        Instant t = instant(docker);
        return t == null || t.getEpochSecond() <= 0 ? null : t;
    }

    public static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
