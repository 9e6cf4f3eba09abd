package dev.berth.controller.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.controller.host.ObservedContainer.State;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LostStartsTest {
    private static ObservedContainer found(String id, State state, Instant startedAt) {
        return new ObservedContainer(id, "web-" + id, "img:1", "h", state, null, startedAt, null, null, false);
    }

    @Test
    void aLostStartFoundRunningIsRecordedOnceAndOneStillCreatedIsNot() {
        LostStarts lost = new LostStarts();
        lost.remember("a", "web-a");
        lost.remember("b", "web-b");
        lost.remember("c", "web-c");
        Instant t = Instant.parse("2026-12-01T10:00:00Z");

        assertThat(lost.wentThrough(List.of(found("a", State.RUNNING, t), found("b", State.CREATED, null),
                found("x", State.RUNNING, t)))).containsExactly("web-a");
        assertThat(lost.wentThrough(List.of(found("a", State.RUNNING, t), found("b", State.RUNNING, t))))
                .as("each is told once; b was started again by the plan, which records it itself").isEmpty();
        assertThat(lost.wentThrough(List.of(found("c", State.EXITED, t))))
                .as("started, then exited: it did start").containsExactly("web-c");
    }
}
