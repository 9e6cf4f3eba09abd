package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.controller.database.RestoreDecision.Action;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestoreDecisionTest {
    private static final String UID = "uid-1";
    private static final Map<String, String> OURS = Map.of("berth.dev/managed", "true", DesiredDatabase.LABEL_DATABASE,
            UID, RestoreDecision.LABEL_RESTORE_FROM, "20261202T010000Z-0b4e8a52-6f3c-4d7e-9a1b-2c3d4e5f6a7b.dump");

    private static Action decide(boolean requested, String restoredRunId, boolean failedBefore,
                                 Optional<Map<String, String>> volume, boolean placed, boolean container) {
        return RestoreDecision.decide(new RestoreDecision.Input(requested, restoredRunId, failedBefore, volume, UID,
                placed, container));
    }

    @Test
    void withoutRestoreFromOrOnceRestoredTheDatabaseIsAnOrdinaryOne() {
        assertThat(decide(false, null, false, Optional.empty(), false, false)).isEqualTo(Action.NONE);
        // Restored once: never again, whatever the volume looks like (also after an operator restart).
        assertThat(decide(true, "0b4e8a52-6f3c-4d7e-9a1b-2c3d4e5f6a7b", false, Optional.of(OURS), false, true))
                .isEqualTo(Action.NONE);
        assertThat(decide(true, "0b4e8a52-6f3c-4d7e-9a1b-2c3d4e5f6a7b", false, Optional.of(Map.of()), true, true))
                .isEqualTo(Action.NONE);
    }

    @Test
    void aNewDatabaseWithoutAVolumePreparesTheRestore() {
        assertThat(decide(true, null, false, Optional.empty(), false, false)).isEqualTo(Action.PREPARE);
        assertThat(decide(true, null, false, Optional.empty(), true, false)).isEqualTo(Action.PREPARE);
    }

    @Test
    void aVolumeThisRestoreDidNotMakeIsRefused() {
        // A volume made by hand, by an earlier database of the same name (Retain), or by Berth without a restore.
        assertThat(decide(true, null, false, Optional.of(Map.of()), false, false)).isEqualTo(Action.REFUSE_NOT_EMPTY);
        assertThat(decide(true, null, false, Optional.of(Map.of(DesiredDatabase.LABEL_DATABASE, UID)), false, true))
                .isEqualTo(Action.REFUSE_NOT_EMPTY);
        assertThat(decide(true, null, false, Optional.of(Map.of(DesiredDatabase.LABEL_DATABASE, "another-uid",
                RestoreDecision.LABEL_RESTORE_FROM, "x.dump")), false, false)).isEqualTo(Action.REFUSE_NOT_EMPTY);
    }

    @Test
    void thisRestoresVolumeGoesOnWhereItStopped() {
        assertThat(decide(true, null, false, Optional.of(OURS), false, false)).isEqualTo(Action.START_THEN_RESTORE);
        assertThat(decide(true, null, false, Optional.of(OURS), false, true)).isEqualTo(Action.START_THEN_RESTORE);
        // Redis family: no container yet means the placement may have been cut short: place again.
        assertThat(decide(true, null, false, Optional.of(OURS), true, false)).isEqualTo(Action.PLACE);
        assertThat(decide(true, null, false, Optional.of(OURS), true, true)).isEqualTo(Action.START_THEN_RECORD);
    }

    @Test
    void aFailedRestoreIsHeldNotRetried() {
        assertThat(decide(true, null, true, Optional.of(OURS), false, true)).isEqualTo(Action.HOLD_FAILED);
        assertThat(decide(true, null, true, Optional.of(OURS), true, false)).isEqualTo(Action.HOLD_FAILED);
        // Taking restoreFrom out of the spec does not make the half-restored volume an ordinary database.
        assertThat(decide(false, null, true, Optional.of(OURS), false, true)).isEqualTo(Action.HOLD_FAILED);
    }
}
