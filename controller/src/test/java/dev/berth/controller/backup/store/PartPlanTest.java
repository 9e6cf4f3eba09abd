package dev.berth.controller.backup.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PartPlanTest {
    private static final long MIB = 1024 * 1024;

    /** One size for every part, as before parts grew. */
    private static PartPlan fixed(int size) {
        return new PartPlan(List.of(new PartPlan.Step(1, size, 3)), PartPlan.S3_MAX_PARTS);
    }

    @Test
    void theStandardPlanGrowsItsPartsAtTheStepsAndStopsAtS3sTenThousandthPart() {
        PartPlan plan = PartPlan.STANDARD;
        assertThat(plan.at(1).orElseThrow().size()).isEqualTo(5 * MIB);
        assertThat(plan.at(2_000).orElseThrow().size()).isEqualTo(5 * MIB);
        assertThat(plan.at(2_001).orElseThrow().size()).isEqualTo(10 * MIB);
        assertThat(plan.at(4_000).orElseThrow().size()).isEqualTo(10 * MIB);
        assertThat(plan.at(4_001).orElseThrow()).isEqualTo(new PartPlan.Step(4_001, (int) (20 * MIB), 1));
        assertThat(plan.at(10_000).orElseThrow().size()).isEqualTo(20 * MIB);
        assertThat(plan.at(10_001)).isEmpty();
        assertThat(plan.at(0)).isEmpty();
    }

    @Test
    void theStandardPlanTakesThreeTimesWhatFixedFiveMibPartsDidInAtMostFortyMibOfBuffers() {
        // 2 000 x 5 MiB + 2 000 x 10 MiB + 6 000 x 20 MiB = 146.5 GiB; fixed 5 MiB parts stopped at 48.8 GiB.
        assertThat(PartPlan.STANDARD.maxBytes()).isEqualTo(150_000 * MIB);
        assertThat(fixed(PartPlan.STANDARD.steps().get(0).size()).maxBytes()).isEqualTo(50_000 * MIB);
        // The first 9.8 GiB in four 5 MiB buffers (as before); beyond, at most 40 MiB.
        assertThat((PartPlan.STANDARD.at(1).orElseThrow().inFlight() + 1) * 5 * MIB).isEqualTo(20 * MIB);
        assertThat(PartPlan.STANDARD.maxBufferBytes()).isEqualTo(40 * MIB);
    }

    @Test
    void aPlanCountsOnlyThePartsUpToItsLast() {
        PartPlan plan = new PartPlan(List.of(new PartPlan.Step(1, (int) (5 * MIB), 3),
                new PartPlan.Step(3, (int) (6 * MIB), 1), new PartPlan.Step(9, (int) (7 * MIB), 1)), 5);
        assertThat(plan.maxBytes()).isEqualTo(2 * 5 * MIB + 3 * 6 * MIB);
        assertThat(plan.at(5).orElseThrow().size()).isEqualTo(6 * MIB);
        assertThat(plan.at(6)).isEmpty();
    }

    @Test
    void plansS3WouldRefuseAreRefusedHere() {
        assertThatThrownBy(() -> new PartPlan(List.of(new PartPlan.Step(1, (int) (4 * MIB), 3)), 100))
                .hasMessageContaining("at least 5 MiB");
        assertThatThrownBy(() -> new PartPlan(List.of(new PartPlan.Step(2, (int) (5 * MIB), 3)), 100))
                .hasMessageContaining("part 1");
        assertThatThrownBy(() -> new PartPlan(List.of(new PartPlan.Step(1, (int) (5 * MIB), 3),
                new PartPlan.Step(1, (int) (6 * MIB), 3)), 100)).hasMessageContaining("go up");
        assertThatThrownBy(() -> new PartPlan(List.of(new PartPlan.Step(1, (int) (5 * MIB), 0)), 100))
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> fixed((int) (5 * MIB)).steps().add(null))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new PartPlan(List.of(new PartPlan.Step(1, (int) (5 * MIB), 3)), 10_001))
                .hasMessageContaining("10000");
    }
}
