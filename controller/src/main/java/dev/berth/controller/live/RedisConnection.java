package dev.berth.controller.live;

import dev.berth.controller.BerthConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's one Redis connection (lettuce), for the short-lived data of later issues: live deployment logs,
 * host status. Connects at start when configured; if Redis is not there yet, keeps trying every few seconds in the
 * background (lettuce itself reconnects a connection that dropped). Never blocks the operator's start.
 */
public final class RedisConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisConnection.class);
    private static final Duration RETRY = Duration.ofSeconds(5);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(1);

    private final String redactedUrl;
    private final RedisClient client;
    private final ScheduledExecutorService retries;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;

    private RedisConnection(String url) {
        this.redactedUrl = BerthConfig.redact(url);
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(5));
        this.client = RedisClient.create(uri);
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "berth-redis-connect");
            t.setDaemon(true);
            return t;
        });
    }

    /** A connection when {@code url} is present, otherwise empty (Redis off). */
    public static Optional<RedisConnection> start(Optional<String> url) {
        return url.map(u -> {
            RedisConnection redis = new RedisConnection(u);
            redis.retries.execute(redis::connect);
            return redis;
        });
    }

    private void connect() {
        if (closed) {
            return;
        }
        try {
            connection = client.connect();
            log.info("Redis connected at {}", redactedUrl);
        } catch (RuntimeException e) {
            log.warn("Redis at {} not reachable ({}); retrying in {}s", redactedUrl, e.getClass().getSimpleName(),
                    RETRY.toSeconds());
            retries.schedule(this::connect, RETRY.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** The connection once made; callers must cope with empty (Redis down or still connecting). */
    public Optional<StatefulRedisConnection<String, String>> connection() {
        return Optional.ofNullable(connection);
    }

    /** Connected and answering PING within a second. */
    public boolean isHealthy() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null || !c.isOpen()) {
            return false;
        }
        try {
            return "PONG".equals(c.async().ping().get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    public String describe() {
        return redactedUrl;
    }

    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
