package dev.berth.controller;

import dev.berth.controller.mirror.Mirror;
import dev.berth.controller.status.EventRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;

/** What every reconciler is handed by {@link BerthOperator}: the mirror, Events, the clock, meters and config. */
public record ReconcilerServices(Mirror mirror, EventRecorder events, Clock clock, MeterRegistry meters,
        BerthConfig config) {
}
