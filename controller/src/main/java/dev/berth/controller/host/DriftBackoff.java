package dev.berth.controller.host;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backoff for drift repairs, per Application (in memory): a container that keeps being stopped or removed out of
 * band is put back at once the first time, then no sooner than 10 s, 20 s, 40 s ... (at most 5 min) after the last
 * repair. A quiet period of {@link #FORGET} forgets the history. Restarting the operator forgets it too, which only
 * makes the first repair immediate again.
 */
public final class DriftBackoff {
    static final Duration FIRST = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofMinutes(5);
    static final Duration FORGET = Duration.ofMinutes(15);

    private record History(int repairs, Instant last) {
    }

    private final Map<String, History> histories = new ConcurrentHashMap<>();

    /** When the next repair for this Application may happen; empty: now. */
    public Optional<Instant> notBefore(String uid, Instant now) {
        History h = histories.get(uid);
        if (h == null || !now.isBefore(h.last.plus(FORGET))) {
            return Optional.empty();
        }
        Instant next = h.last.plus(delay(h.repairs));
        return next.isAfter(now) ? Optional.of(next) : Optional.empty();
    }

    /** A repair was made now. */
    public void repaired(String uid, Instant now) {
        histories.compute(uid, (k, h) -> h == null || !now.isBefore(h.last.plus(FORGET))
                ? new History(1, now) : new History(h.repairs + 1, now));
    }

    public void forget(String uid) {
        histories.remove(uid);
    }

    /** The pause after {@code repairs} repairs: 0 after none, then 10 s doubling to 5 min. */
    static Duration delay(int repairs) {
        if (repairs <= 0) {
            return Duration.ZERO;
        }
        Duration d = FIRST;
        for (int i = 1; i < repairs && d.compareTo(MAX) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(MAX) > 0 ? MAX : d;
    }
}
