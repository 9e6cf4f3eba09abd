package dev.berth.controller.application;

import dev.berth.api.v1alpha1.Application;
import dev.berth.controller.live.RedisConnection;
import dev.berth.controller.mirror.DeploymentStatus;
import dev.berth.controller.mirror.Mirror;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployments in progress, one per Application at most (in memory; the history rows are in the mirror): a row
 * queued and started when a rollout begins, its log lines streamed live to Redis ({@code berth:deployment:<id>:logs},
 * a capped stream) and kept in the mirror when it ends with its outcome.
 *
 * <p>Nothing here waits: Redis writes are asynchronous (lost while Redis is down; the mirror keeps them), mirror
 * writes never block on an unreachable database. Callers pass lines that hold no secret value.
 */
public final class DeploymentHistory {
    private static final Logger log = LoggerFactory.getLogger(DeploymentHistory.class);
    /** Entries kept per Redis stream (approximate trimming). */
    static final long STREAM_MAX_LENGTH = 5_000;
    /** How long a finished deployment's stream stays in Redis; the mirror keeps the lines for good. */
    static final Duration STREAM_TTL = Duration.ofDays(1);
    /** Lines kept per deployment for the mirror. */
    static final int MAX_LINES = 2_000;

    private final Mirror mirror;
    private final Optional<RedisConnection> redis;
    private final Clock clock;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<String, Finished> finished = new ConcurrentHashMap<>();
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    /** A configuration whose rollout failed (rolled back or nothing serving), and the status message that explained it. */
    public record Failure(String configHash, String message) {
    }

    /** The last deployment this process saw finish for an Application: which one, and the configuration it rolled out. */
    public record Finished(UUID id, String configHash) {
    }

    /** One deployment in progress. */
    public static final class Run {
        private final UUID id;
        private final String configHash;
        private final String image;
        private final List<String> lines = new ArrayList<>();
        private int dropped;

        Run(UUID id, String configHash, String image) {
            this.id = id;
            this.configHash = configHash;
            this.image = image;
        }

        public UUID id() {
            return id;
        }

        public String configHash() {
            return configHash;
        }

        public String image() {
            return image;
        }
    }

    public DeploymentHistory(Mirror mirror, Optional<RedisConnection> redis, Clock clock) {
        this.mirror = mirror;
        this.redis = redis;
        this.clock = clock;
    }

    public static String streamKey(UUID deployment) {
        return "berth:deployment:" + deployment + ":logs";
    }

    /** The deployment in progress for the Application, if any (this process started or resumed it). */
    public Optional<Run> active(Application app) {
        return Optional.ofNullable(runs.get(app.getMetadata().getUid()));
    }

    /** Queues and starts a deployment row (queued → in_progress at once: Berth starts working on it now). */
    public Run begin(Application app, String configHash, String image, String reason) {
        UUID id = mirror.deploymentQueued(app, image, reason);
        mirror.deploymentStarted(id);
        Run run = new Run(id, configHash, image);
        runs.put(app.getMetadata().getUid(), run);
        line(run, "deployment " + id + " of " + image + ": " + reason);
        return run;
    }

    public void line(Run run, String text) {
        String stamped = clock.instant().truncatedTo(ChronoUnit.MILLIS) + " " + text;
        synchronized (run) {
            if (run.lines.size() < MAX_LINES) {
                run.lines.add(stamped);
            } else {
                run.dropped++;
            }
        }
        redis.flatMap(RedisConnection::connection).ifPresent(c -> send(c, run.id, stamped));
    }

    /**
     * The deployment that this process last saw finish for the Application, if it has not ended otherwise since: a
     * look that finds that configuration serving (e.g. with a status from before that deployment's own status write)
     * is that deployment, not a new one.
     */
    public Optional<Finished> lastFinished(Application app) {
        return Optional.ofNullable(finished.get(app.getMetadata().getUid()));
    }

    /**
     * The configuration whose rollout this process last saw fail for the Application, unless one finished since: a
     * look whose status does not say so yet (it is older than the failure's own status write) must not try it again.
     */
    public Optional<Failure> lastFailure(Application app) {
        return Optional.ofNullable(failures.get(app.getMetadata().getUid()));
    }

    /** Notes that the rollout of {@code configHash} failed, explained by {@code message} (see {@link #lastFailure}). */
    public void failed(Application app, String configHash, String message) {
        failures.put(app.getMetadata().getUid(), new Failure(configHash, message));
    }

    /** Forgets the Application (deleted). */
    public void forget(Application app) {
        failures.remove(app.getMetadata().getUid());
        finished.remove(app.getMetadata().getUid());
    }

    /** Ends the Application's deployment in progress (if any) with its outcome; its lines go to the mirror. */
    public void end(Application app, DeploymentStatus outcome, String imageDigest, String message) {
        Run run = runs.remove(app.getMetadata().getUid());
        if (run == null) {
            return;
        }
        if (outcome == DeploymentStatus.FINISHED) {
            failures.remove(app.getMetadata().getUid());
            finished.put(app.getMetadata().getUid(), new Finished(run.id, run.configHash));
        } else {
            finished.remove(app.getMetadata().getUid());
        }
        line(run, "deployment " + outcome.value() + (message == null ? "" : ": " + message));
        List<String> lines;
        synchronized (run) {
            lines = new ArrayList<>(run.lines);
            if (run.dropped > 0) {
                lines.add("(" + run.dropped + " more lines not kept)");
            }
        }
        mirror.deploymentLog(run.id, lines);
        mirror.deploymentFinished(run.id, outcome, imageDigest, message);
        redis.flatMap(RedisConnection::connection).ifPresent(c -> c.async()
                .expire(streamKey(run.id), STREAM_TTL.toSeconds())
                .exceptionally(e -> null));
    }

    private static void send(StatefulRedisConnection<String, String> c, UUID id, String line) {
        try {
            c.async().xadd(streamKey(id), XAddArgs.Builder.maxlen(STREAM_MAX_LENGTH).approximateTrimming(),
                    Map.of("line", line)).exceptionally(e -> {
                        log.debug("Redis: deployment log line not streamed ({})", e.getClass().getSimpleName());
                        return null;
                    });
        } catch (RuntimeException e) {
            log.debug("Redis: deployment log line not streamed ({})", e.getClass().getSimpleName());
        }
    }
}
