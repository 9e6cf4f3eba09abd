package dev.berth.controller.database;

import dev.berth.controller.database.DatabasePlan.Phase;
import dev.berth.controller.database.DatabasePlan.Step;
import dev.berth.controller.host.ObservedContainer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The one-container plan of a database (pure): from the desired container and what is on the host, what to do now.
 * The rules, in the order they are applied:
 * <ol>
 *   <li><b>suspend</b> stops every container of the database and keeps it;</li>
 *   <li><b>no volume</b>: made only for a database that never ran (no container, no configuration that was ever
 *       ready); otherwise nothing is started ({@link Phase#VOLUME_MISSING}): an empty database in place of the data
 *       would hide the loss;</li>
 *   <li><b>PostgreSQL major version change</b> of the image is refused and nothing touched, as is a change to an
 *       image whose tag names no major (its data directory would be 18's);</li>
 *   <li><b>one container per volume, ever</b>: the running (or restarting) container of another configuration gets
 *       the engine's own stop and grace before the new one is started; the old one is kept (stopped) until the new one
 *       answers, so a failure can go back to it, and removed then;</li>
 *   <li><b>failure</b> (the engine exits before it answers, or does not answer within the start timeout): the new
 *       container goes; when only settings changed (same image) the previous configuration is started again; after
 *       an image change it stays stopped, because the new version may already have converted the data files. The
 *       failed configuration is not tried again until the spec changes;</li>
 *   <li><b>drift</b>: the container of a configuration that was ready, stopped or removed out of band, is started or
 *       made again on the same volume.</li>
 * </ol>
 */
public final class DatabasePlanner {
    /** How often to look while the engine starts, once it has run for {@link #FAST_PHASE}. */
    public static final Duration POLL = Duration.ofMillis(500);
    /**
     * How often to look in the first {@link #FAST_PHASE} after a start: the fast engines (the Redis family) answer
     * within a few hundred ms, and a 500 ms wait would be most of their time to Ready. Slower than the controller's
     * rate limit (5 a second) with the look's own time added.
     */
    public static final Duration FAST_POLL = Duration.ofMillis(200);
    static final Duration FAST_PHASE = Duration.ofSeconds(2);
    /** How often to look while Docker's health check fails or a failed configuration waits. */
    static final Duration UNHEALTHY_RECHECK = Duration.ofSeconds(10);

    private DatabasePlanner() {
    }

    /**
     * What one look found.
     *
     * @param lastReadyHash the configuration that last became ready (status), or null when none ever did
     * @param lastImage the image that last ran (status), or null
     * @param failedHash a configuration that failed (status), or null
     * @param answers whether the engine in the desired container answered the readiness check this look: null when
     *     it was not asked (the container does not run, or it was ready before and Docker's health check is used)
     * @param wasSuspended the database was suspended until now: its stopped container is resumed, not drift
     */
    public record Input(DesiredDatabase desired, List<ObservedContainer> observed, boolean volumeExists,
            String lastReadyHash, String lastImage, String failedHash, boolean suspend, Boolean answers, Instant now,
            boolean wasSuspended) {
        public Input {
            observed = List.copyOf(observed);
        }
    }

    public static DatabasePlan plan(Input in) {
        String hash = in.desired().configHash();
        ObservedContainer current = in.observed().stream().filter(c -> hash.equals(c.configHash())).findFirst()
                .orElse(null);
        List<ObservedContainer> others = in.observed().stream().filter(c -> c != current)
                .sorted(NEWEST_FIRST).toList();
        if (in.suspend()) {
            List<Step> steps = new ArrayList<>();
            in.observed().stream().filter(DatabasePlanner::mayRun).forEach(c -> steps.add(stop(c)));
            return plan(Phase.SUSPENDED, steps, null, null, false, null,
                    "suspended: the database container is stopped and kept, with its volume", Optional.empty());
        }
        if (!in.volumeExists()) {
            if (in.observed().isEmpty() && in.lastReadyHash() == null) {
                return plan(Phase.STARTING, List.of(new DatabasePlan.CreateVolume(in.desired().volume()),
                        new DatabasePlan.Create(), new DatabasePlan.Start(null, in.desired().container().name())),
                        null, null, false, null, "first start on a new volume", Optional.of(FAST_POLL));
            }
            return plan(Phase.VOLUME_MISSING, List.of(), null, null, false, null, "volume " + in.desired().volume()
                    + " is gone from the Server, but this database has run before: Berth does not start an empty "
                    + "database in its place", Optional.empty());
        }
        if (current == null) {
            Optional<String> refusal = majorChange(in, others);
            if (refusal.isPresent()) {
                return plan(Phase.MAJOR_UPGRADE_REFUSED, List.of(), null, null, false, null, refusal.get(),
                        Optional.empty());
            }
            if (hash.equals(in.failedHash())) {
                return held(in, others);
            }
            List<Step> steps = new ArrayList<>();
            others.stream().filter(DatabasePlanner::mayRun).forEach(c -> steps.add(stop(c)));
            steps.add(new DatabasePlan.Create());
            steps.add(new DatabasePlan.Start(null, in.desired().container().name()));
            String drift = others.isEmpty() && hash.equals(in.lastReadyHash())
                    ? "the database container was removed" : null;
            return plan(Phase.STARTING, steps, null, null, false, drift,
                    others.isEmpty() ? "starting" : "replacing the container (the old one is stopped first)",
                    Optional.of(FAST_POLL));
        }
        if (current.running()) {
            return running(in, current, others);
        }
        List<Step> steps = new ArrayList<>();
        others.stream().filter(DatabasePlanner::mayRun).forEach(c -> steps.add(stop(c)));
        if (hash.equals(in.lastReadyHash()) && current.state() == ObservedContainer.State.RESTARTING) {
            // The engine exited and Docker's restart policy brings it back: nothing was stopped out of band.
            return plan(Phase.UNHEALTHY, steps, current, null, false, null, "the engine exited and Docker is "
                    + "restarting it (it accepted connections before); Berth leaves it running",
                    Optional.of(UNHEALTHY_RECHECK));
        }
        if (hash.equals(in.lastReadyHash())) {
            steps.add(new DatabasePlan.Start(current.id(), current.name()));
            return plan(Phase.STARTING, steps, null, null, false,
                    in.wasSuspended() ? null : "the database container was stopped",
                    in.wasSuspended() ? "resuming" : "starting again", Optional.of(FAST_POLL));
        }
        if (current.startedAt() == null) {
            steps.add(new DatabasePlan.Start(current.id(), current.name()));
            return plan(Phase.STARTING, steps, null, null, false, null, "starting", Optional.of(FAST_POLL));
        }
        return failed(in, current, others, "the engine exited before it accepted a connection");
    }

    private static DatabasePlan running(Input in, ObservedContainer current, List<ObservedContainer> others) {
        boolean answered = Boolean.TRUE.equals(in.answers())
                || (in.answers() == null && !"unhealthy".equals(current.health()));
        if (answered) {
            List<Step> steps = new ArrayList<>();
            for (ObservedContainer o : others) {
                if (mayRun(o)) {
                    steps.add(stop(o));
                }
                steps.add(new DatabasePlan.Remove(o.id(), o.name()));
            }
            return plan(Phase.READY, steps, current, null, false, null, "accepts authenticated connections",
                    Optional.empty());
        }
        Instant deadline = current.startedAt() == null ? null : current.startedAt().plus(in.desired().startTimeout());
        boolean justStarted = deadline == null || in.now().isBefore(deadline);
        if (in.answers() == null || in.desired().configHash().equals(in.lastReadyHash())) {
            if (in.answers() != null && justStarted) {
                // Started again (drift repaired, resumed, restarted by Docker): the engine is on its way back.
                return plan(Phase.STARTING, List.of(), current, null, false, null, "started again; waiting for the "
                        + "engine to accept an authenticated connection", Optional.of(poll(current, in.now())));
            }
            // It answered before: a busy or recovering engine is not killed; status says so.
            return plan(Phase.UNHEALTHY, List.of(), current, null, false, null,
                    "the engine does not answer its readiness check (it did before); Berth leaves it running",
                    Optional.of(in.answers() == null ? UNHEALTHY_RECHECK : POLL));
        }
        if (justStarted) {
            return plan(Phase.STARTING, List.of(), current, null, false, null, "waiting for the engine to accept "
                    + "an authenticated connection", Optional.of(poll(current, in.now())));
        }
        return failed(in, current, others, "the engine did not accept an authenticated connection within "
                + in.desired().startTimeout().toSeconds() + "s");
    }

    /**
     * The wait before the next look at a starting engine: {@link #FAST_POLL} in its first {@link #FAST_PHASE} (by
     * Docker's start time against the operator's clock; a host clock far off only makes this phase longer or
     * shorter), {@link #POLL} after.
     */
    static Duration poll(ObservedContainer c, Instant now) {
        if (c.startedAt() == null || now.isBefore(c.startedAt().plus(FAST_PHASE))) {
            return FAST_POLL;
        }
        return POLL;
    }

    /**
     * A failed configuration: its container goes; the previous configuration is started again when only settings
     * changed.
     */
    private static DatabasePlan failed(Input in, ObservedContainer failing, List<ObservedContainer> others,
            String why) {
        List<Step> steps = new ArrayList<>();
        if (mayRun(failing)) {
            steps.add(stop(failing));
        }
        steps.add(new DatabasePlan.Remove(failing.id(), failing.name()));
        Optional<ObservedContainer> previous = rollbackTarget(in, others);
        previous.ifPresent(p -> steps.add(new DatabasePlan.Start(p.id(), p.name())));
        String detail = why + (previous.isPresent() ? "; the previous configuration was started again"
                : others.isEmpty() ? "" : "; the image changed, so the previous configuration stays stopped (the new "
                        + "version may already have converted the data files)");
        return plan(Phase.FAILED, steps, null, failing, previous.isPresent(), null, detail, Optional.empty());
    }

    /** The failed configuration waits for a spec change; the previous one, when it may run, is kept running. */
    private static DatabasePlan held(Input in, List<ObservedContainer> others) {
        List<Step> steps = new ArrayList<>();
        Optional<ObservedContainer> previous = rollbackTarget(in, others);
        previous.filter(p -> !p.running()).ifPresent(p -> steps.add(new DatabasePlan.Start(p.id(), p.name())));
        return plan(Phase.FAILED, steps, previous.filter(ObservedContainer::running).orElse(null), null,
                previous.isPresent(), null, "this configuration failed before; Berth tries again when the spec changes",
                Optional.empty());
    }

    /**
     * After a failure, the configuration to go back to: the newest other container, when it runs the same image as
     * the one that failed (only settings changed). Preferably the one that was last ready.
     */
    public static Optional<ObservedContainer> rollbackTarget(Input in, List<ObservedContainer> others) {
        Optional<ObservedContainer> lastReady = others.stream()
                .filter(o -> Objects.equals(o.configHash(), in.lastReadyHash())).findFirst();
        ObservedContainer previous = lastReady.orElse(others.isEmpty() ? null : others.get(0));
        if (previous == null || !in.desired().image().equals(previous.image())) {
            return Optional.empty();
        }
        return Optional.of(previous);
    }

    /** PostgreSQL keeps its data directory per major version: another major's server cannot start on it. */
    static Optional<String> majorChange(Input in, List<ObservedContainer> others) {
        if (in.desired().engine() != DatabaseEngine.POSTGRESQL) {
            return Optional.empty();
        }
        String previous = others.isEmpty() ? in.lastImage() : others.get(0).image();
        OptionalInt was = DatabaseEngine.imageMajorVersion(previous);
        OptionalInt now = DatabaseEngine.imageMajorVersion(in.desired().image());
        if (was.isPresent() && now.isEmpty()) {
            // Without a version in the tag the data directory is 18's (DatabaseEngine.dataDirectory): on data of
            // another major the image would start an empty database beside it.
            return Optional.of("the data on volume " + in.desired().volume() + " is PostgreSQL " + was.getAsInt()
                    + " (image " + previous + "); the tag of image " + in.desired().image() + " names no major "
                    + "version, so Berth cannot tell whether it can start on it: name the major in the tag (e.g. :"
                    + was.getAsInt() + ", or :" + was.getAsInt() + "@sha256:… to pin a digest)");
        }
        if (was.isEmpty() || was.getAsInt() == now.getAsInt()) {
            return Optional.empty();
        }
        return Optional.of("the data on volume " + in.desired().volume() + " is PostgreSQL " + was.getAsInt()
                + " (image " + previous + "); PostgreSQL " + now.getAsInt() + " cannot start on it. Berth does not "
                + "upgrade major versions: set spec.image back to a " + was.getAsInt() + ".x image, or dump, create a "
                + "new database on the new version and restore into it (docs/databases.md)");
    }

    /**
     * Whether the engine in the container runs or may run again by itself: a container Docker is restarting (its
     * restart policy, after the engine exited) or has paused must be stopped too, before another starts on the volume
     * or before it is removed (Docker refuses to remove one without a stop).
     */
    private static boolean mayRun(ObservedContainer c) {
        return c.running() || c.state() == ObservedContainer.State.RESTARTING
                || c.state() == ObservedContainer.State.PAUSED;
    }

    private static DatabasePlan.Stop stop(ObservedContainer c) {
        return new DatabasePlan.Stop(c.id(), c.name());
    }

    private static DatabasePlan plan(Phase phase, List<Step> steps, ObservedContainer ready, ObservedContainer failing,
            boolean rolledBack, String drift, String detail, Optional<Duration> recheck) {
        return new DatabasePlan(phase, steps, ready, failing, rolledBack, drift, detail, recheck);
    }

    /** Newest first: by start time, then name (a container never started sorts last). */
    private static final Comparator<ObservedContainer> NEWEST_FIRST = Comparator
            .comparing((ObservedContainer c) -> c.startedAt() == null ? Instant.MIN : c.startedAt()).reversed()
            .thenComparing(ObservedContainer::name);
}
