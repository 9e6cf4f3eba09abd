package dev.berth.controller.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionAggregatorTest {
    private static final Instant T1 = Instant.parse("2026-11-26T10:00:00.123Z");
    private static final Instant T2 = Instant.parse("2026-11-26T11:00:00Z");

    @Test
    void newConditionsGetNowAsTransitionTimeAndReadyComesFirst() {
        List<Condition> built = new ConditionAggregator(null, 3L, T1)
                .set("Mirrored", true, "InSync", "ok")
                .set("Ready", false, "InvalidSpec", "bad")
                .build();

        assertThat(built).extracting(Condition::getType).containsExactly("Ready", "Mirrored");
        assertThat(built.get(0).getLastTransitionTime()).isEqualTo("2026-11-26T10:00:00Z");
        assertThat(built.get(0).getObservedGeneration()).isEqualTo(3L);
        assertThat(built.get(0).getStatus()).isEqualTo("False");
    }

    @Test
    void transitionTimeIsKeptWhileStatusStaysTheSameEvenIfReasonChanges() {
        List<Condition> first = new ConditionAggregator(null, 1L, T1).set("Ready", false, "ServerNotFound", "m1").build();
        List<Condition> second = new ConditionAggregator(first, 2L, T2).set("Ready", false, "ConvergenceNotImplemented", "m2").build();

        assertThat(second.get(0).getLastTransitionTime()).isEqualTo(first.get(0).getLastTransitionTime());
        assertThat(second.get(0).getReason()).isEqualTo("ConvergenceNotImplemented");
        assertThat(second.get(0).getObservedGeneration()).isEqualTo(2L);
    }

    @Test
    void transitionTimeChangesWhenStatusFlips() {
        List<Condition> first = new ConditionAggregator(null, 1L, T1).set("Ready", false, "X", "m").build();
        List<Condition> second = new ConditionAggregator(first, 1L, T2).set("Ready", true, "Ready", "m").build();

        assertThat(second.get(0).getLastTransitionTime()).isEqualTo("2026-11-26T11:00:00Z");
    }

    @Test
    void recomputingTheSameFactsGivesAnEqualList() {
        List<Condition> first = new ConditionAggregator(null, 1L, T1)
                .set("Ready", false, "X", "m").set("Mirrored", true, "InSync", "ok").build();
        List<Condition> again = new ConditionAggregator(first, 1L, T2)
                .set("Ready", false, "X", "m").set("Mirrored", true, "InSync", "ok").build();

        assertThat(again).isEqualTo(first);
    }

    @Test
    void conditionsNotSetAgainAreDropped() {
        List<Condition> first = new ConditionAggregator(null, 1L, T1)
                .set("Ready", false, "X", "m").set("Reachable", true, "Ok", "m").build();
        List<Condition> second = new ConditionAggregator(first, 1L, T2).set("Ready", false, "X", "m").build();

        assertThat(second).extracting(Condition::getType).containsExactly("Ready");
    }
}
