package dev.berth.controller.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.controller.host.ServerAccess;
import dev.berth.controller.live.RedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fresh result of every host check in Redis, {@code berth:server:<uid>:status} (JSON), expiring after
 * {@value #TTL_INTERVALS} check intervals so a stale entry disappears when nobody checks any more. This is where the
 * exact time of the last check lives (status.lastCheckTime is only refreshed when something changed). Writes are
 * fire-and-forget: Redis down or slow never holds up a reconcile. No secret goes in.
 */
final class HostStatusCache {
    static final int TTL_INTERVALS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(HostStatusCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<RedisConnection> redis;

    HostStatusCache(Optional<RedisConnection> redis) {
        this.redis = redis;
    }

    static String key(Server server) {
        return "berth:server:" + server.getMetadata().getUid() + ":status";
    }

    /** The JSON kept for one check. */
    static String json(Server server, HostCheck check, ServerStatus status, Instant checkedAt) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("server", ServerAccess.hostId(server));
        v.put("checkedAt", checkedAt.toString());
        v.put("ready", check.ok());
        v.put("reachable", check.reached());
        v.put("reason", check.ok() ? "Ready" : check.problemReason());
        v.put("message", check.problemMessage());
        v.put("consecutiveFailures", status.getConsecutiveFailures());
        v.put("hostKeyFingerprint", status.getHostKeyFingerprint());
        v.put("os", status.getOs());
        v.put("dockerVersion", status.getDockerVersion());
        v.put("architecture", status.getArchitecture());
        v.put("cpus", status.getCpus());
        v.put("memoryBytes", status.getMemoryBytes());
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void put(Server server, HostCheck check, ServerStatus status, Instant checkedAt, Duration interval) {
        redis.flatMap(RedisConnection::connection).ifPresent(c -> {
            long ttl = Math.max(30, interval.multipliedBy(TTL_INTERVALS).toSeconds());
            c.async().setex(key(server), ttl, json(server, check, status, checkedAt)).exceptionally(e -> {
                LOG.debug("Redis: caching the status of Server {} failed ({})", ServerAccess.hostId(server),
                        e.getClass().getSimpleName());
                return null;
            });
        });
    }

    void remove(Server server) {
        redis.flatMap(RedisConnection::connection).ifPresent(c -> c.async().del(key(server)));
    }
}
