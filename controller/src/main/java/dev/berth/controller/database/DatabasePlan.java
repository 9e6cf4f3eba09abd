package dev.berth.controller.database;

import dev.berth.controller.host.ObservedContainer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What to do on the host for one database in one look, and what state that leaves it in. Steps run in order; a
 * database never has two containers running on its volume, so every {@link Stop} of the old configuration comes
 * before the {@link Start} of the new one.
 *
 * @param phase where the database stands
 * @param steps what to do now, in order
 * @param ready the container that is (or becomes, once checked) the database; null when none
 * @param failing the container that failed (its log lines explain), or null
 * @param rolledBack after a failure, the previous configuration is started again
 * @param drift what was changed out of band and is being put back (for the Event and the counter), or null
 * @param detail a sentence for status about the phase
 * @param recheck when to look again (empty: the periodic re-check)
 */
public record DatabasePlan(Phase phase, List<Step> steps, ObservedContainer ready, ObservedContainer failing,
        boolean rolledBack, String drift, String detail, Optional<Duration> recheck) {

    public DatabasePlan {
        steps = List.copyOf(steps);
    }

    public enum Phase {
        /** The engine accepts authenticated connections. */
        READY,
        /** A container was started (or is being) and the engine does not answer yet. */
        STARTING,
        /** The container runs and answered before, but Docker's health check now fails. */
        UNHEALTHY,
        /** spec.suspend: stopped and kept. */
        SUSPENDED,
        /** The volume went out of band after the database had run: nothing is started on an empty one. */
        VOLUME_MISSING,
        /** A PostgreSQL image of another major version: its data directory would not start; nothing is touched. */
        MAJOR_UPGRADE_REFUSED,
        /** This configuration failed (now or before); it is not retried until the spec changes. */
        FAILED
    }

    /** One thing to do on the host. */
    public sealed interface Step permits CreateVolume, Stop, Remove, Create, Start {
    }

    public record CreateVolume(String name) implements Step {
    }

    /** Stop with the engine's own signal and grace (a checkpoint may take a while). */
    public record Stop(String id, String name) implements Step {
    }

    public record Remove(String id, String name) implements Step {
    }

    /** Create the desired container (then start it: a {@link Start} with a null id follows). */
    public record Create() implements Step {
    }

    /** Start a container; a null id means the one {@link Create} just made. */
    public record Start(String id, String name) implements Step {
    }
}
