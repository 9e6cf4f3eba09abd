package dev.berth.controller.reconcile;

import dev.berth.controller.BerthConfig;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.host.ServerAccess;
import dev.berth.controller.live.RedisConnection;
import dev.berth.controller.mirror.Mirror;
import dev.berth.controller.status.EventRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;

/**
 * What every reconciler is handed by {@link BerthOperator}: the mirror, Events, the clock, meters and config;
 * {@code serverAccess} reaches a Server's host (SSH connection, Docker engine); {@code redis} is empty when Redis is
 * off (or still connecting: see {@link RedisConnection#connection()}).
 */
public record ReconcilerServices(Mirror mirror, EventRecorder events, Clock clock, MeterRegistry meters,
        BerthConfig config, ServerAccess serverAccess, Optional<RedisConnection> redis) {
}
