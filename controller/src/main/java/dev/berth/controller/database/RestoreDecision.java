package dev.berth.controller.database;

import java.util.Map;
import java.util.Optional;

/**
 * What a database with {@code spec.restoreFrom} does this look (pure). The restore happens once: its run id goes into
 * {@code status.restoredRunId} only after the data is in and checked, and from then on the database is an ordinary
 * one. Until then the volume tells the story: a restore creates the volume itself, labelled with the database's uid and
 * the backup it restores ({@link #LABEL_RESTORE_FROM}); any other volume under that name holds someone's data and is
 * never written to.
 * <ol>
 *   <li>{@code restoredRunId} set, or (unless a restore failed) no {@code restoreFrom} → {@link Action#NONE} (an ordinary
 *       database);</li>
 *   <li>a restore that failed after it touched the volume (Restored=False, RestoreFailed) → {@link Action#HOLD_FAILED}:
 *       nothing is retried on a half-restored volume, nor started as an ordinary database when restoreFrom is taken
 *       out of the spec; a person deletes the database (deletionPolicy Delete) and creates it again;</li>
 *   <li>no volume → {@link Action#PREPARE}: find the run, create the volume (the Redis family: place the RDB);</li>
 *   <li>a volume this restore did not make → {@link Action#REFUSE_NOT_EMPTY};</li>
 *   <li>this restore's volume: the Redis family without a container yet → {@link Action#PLACE} (again: a placement
 *       cut short is redone), with one → {@link Action#START_THEN_RECORD}; the engines restored by a stream →
 *       {@link Action#START_THEN_RESTORE} (started, then the dump streamed in once the engine answers).</li>
 * </ol>
 */
public final class RestoreDecision {
    /** Volume label: the stored backup's file name this volume is being restored from. */
    public static final String LABEL_RESTORE_FROM = "berth.dev/restore-from";
    /** Volume label: the destination it is read from (s3 or host). */
    public static final String LABEL_RESTORE_SOURCE = "berth.dev/restore-source";

    public enum Action {
        NONE, HOLD_FAILED, PREPARE, REFUSE_NOT_EMPTY, PLACE, START_THEN_RECORD, START_THEN_RESTORE
    }

    /**
     * One look's facts.
     *
     * @param requested         spec.restoreFrom is set
     * @param restoredRunId     status.restoredRunId (null until a restore completed)
     * @param failedBefore      status has Restored=False with reason RestoreFailed
     * @param volumeLabels      the data volume's labels; empty when there is no volume
     * @param uid               the database's uid
     * @param placedBeforeStart the engine's dump is placed before the server starts (the Redis family)
     * @param containerExists   a container of this database exists on the Server
     */
    public record Input(boolean requested, String restoredRunId, boolean failedBefore,
                        Optional<Map<String, String>> volumeLabels, String uid, boolean placedBeforeStart,
                        boolean containerExists) {
    }

    private RestoreDecision() {
    }

    public static Action decide(Input in) {
        if (in.restoredRunId() != null) {
            return Action.NONE;
        }
        if (in.failedBefore()) {
            return Action.HOLD_FAILED; // also when restoreFrom was taken out of the spec: the volume is half-restored
        }
        if (!in.requested()) {
            return Action.NONE;
        }
        if (in.volumeLabels().isEmpty()) {
            return Action.PREPARE;
        }
        if (!madeByThisRestore(in.volumeLabels().get(), in.uid())) {
            return Action.REFUSE_NOT_EMPTY;
        }
        if (in.placedBeforeStart()) {
            return in.containerExists() ? Action.START_THEN_RECORD : Action.PLACE;
        }
        return Action.START_THEN_RESTORE;
    }

    /** The volume was created by this database's restore (its uid and the backup it restores are on it). */
    public static boolean madeByThisRestore(Map<String, String> labels, String uid) {
        return uid != null && uid.equals(labels.get(DesiredDatabase.LABEL_DATABASE))
                && labels.get(LABEL_RESTORE_FROM) != null && !labels.get(LABEL_RESTORE_FROM).isBlank();
    }
}
