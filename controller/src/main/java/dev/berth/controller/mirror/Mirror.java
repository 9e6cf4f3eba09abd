package dev.berth.controller.mirror;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;
import java.util.List;
import java.time.Instant;
import java.util.UUID;

/**
 * The PostgreSQL projection of Berth's resources and their history, as the reconcilers see it.
 *
 * <p>Writes never throw and never block a reconcile on an unreachable database: a write that cannot be made
 * now is kept (the newest state per resource, every history row) and retried until PostgreSQL is back;
 * {@link #isBehind()} tells the reconcilers to say so in a condition. No secret value ever reaches a row:
 * implementations store Secret <em>references</em> only.
 */
public interface Mirror extends AutoCloseable {

    /**
     * Upserts the resource's row (spec without secret values, status, generation, labels-derived project and
     * environment, the team from the namespace), keyed by metadata.uid. Idempotent: the same resource twice
     * leaves one row, unchanged.
     */
    void upsert(HasMetadata resource);

    /** Soft-deletes the resource's row (sets deleted_at); called from the finalizer. History rows are kept. */
    void markDeleted(HasMetadata resource);

    /**
     * Start-up re-sync for one kind: every row of that kind whose uid is not among {@code liveUids} and is not
     * yet deleted gets deleted_at set.
     */
    void resync(Class<? extends HasMetadata> kind, Collection<String> namespaces, Collection<String> liveUids);

    /**
     * Appends a row to the activity log: an action Berth took on a host on behalf of a resource
     * (e.g. "network.create", "container.start"). {@code detail} must hold no secret.
     */
    void recordActivity(HasMetadata resource, String action, String detail);

    // History. The defaults do nothing so that stand-ins for tests need not implement them; PostgresMirror does.
    // Like every write above, these never throw and never wait on an unreachable database.

    /**
     * Adds a deployment of {@code application} to its history, in state {@code queued}, for {@code image}, with why
     * it was started (e.g. "spec changed", "Secret db-credentials changed", "drift"). Returns the deployment's id:
     * the id to put into status.lastDeployment and to pass to the calls below.
     */
    default UUID deploymentQueued(Application application, String image, String reason) {
        return UUID.randomUUID();
    }

    /** The deployment moves from {@code queued} to {@code in_progress}; its start time is now. */
    default void deploymentStarted(UUID deploymentId) {
    }

    /**
     * Keeps log lines of a deployment, in order (e.g. the lines that were streamed to Redis, when it ends).
     * Lines must hold no secret value.
     */
    default void deploymentLog(UUID deploymentId, List<String> lines) {
    }

    /**
     * Ends a queued or in-progress deployment as {@code finished}, {@code failed} or {@code rolled_back}, with the
     * image digest it deployed (or null) and a message (the failure's reason, or null). A deployment that has
     * ended already is left as it is.
     */
    default void deploymentFinished(UUID deploymentId, DeploymentStatus outcome, String imageDigest, String message) {
    }

    /**
     * At start-up: every deployment still {@code queued} or {@code in_progress} from before this call belongs to an
     * operator that died; it is closed as {@code failed} with {@code message}. Deployments queued after the call are
     * not touched, even when this write is delayed by an unreachable database.
     */
    default void closeStuckDeployments(String message) {
    }

    /**
     * Adds a backup execution of {@code backup}, in state {@code running}; {@code trigger} says why it runs
     * ({@code scheduled}, {@code immediate}, {@code manual}). Returns its id (status.lastRun.id).
     */
    default UUID backupStarted(ScheduledBackup backup, String trigger) {
        return UUID.randomUUID();
    }

    /** Ends a running backup execution: its outcome, the dump's size and location (no credentials), a message. */
    default void backupFinished(UUID executionId, BackupStatus outcome, Long sizeBytes, String location, String message) {
    }

    /**
     * Adds backup execution {@code id} of {@code backup} in state {@code running}, started at {@code startedAt} for
     * {@code slot} (the schedule's time it stands for); {@code trigger}: scheduled, immediate or catch-up. A second call
     * with the same id changes nothing.
     */
    default void backupStarted(ScheduledBackup backup, UUID id, String trigger, Instant slot, Instant startedAt) {
    }

    /** Ends running backup execution {@code id} with everything the run found (an execution ends once). */
    default void backupFinished(UUID id, BackupExecutionEnd end) {
    }

    /**
     * Records a slot of {@code backup} that did not run ({@link BackupStatus#SKIPPED} or {@link BackupStatus#MISSED}),
     * with why; {@code id} is derived from the slot, so recording it twice adds one row.
     */
    default void backupSlotNotRun(ScheduledBackup backup, UUID id, BackupStatus status, Instant slot, String message) {
    }

    /** Retention deleted {@code location}, a copy of backup execution {@code id}, because of {@code why}. */
    default void backupCopyDeleted(UUID id, String location, String why) {
    }

    /** Records the public fingerprint (SHA256:...) of the Server's private key, once it was read from its Secret. */
    default void recordPrivateKeyFingerprint(Server server, String fingerprint) {
    }

    /** True while some writes have not reached PostgreSQL yet. */
    boolean isBehind();

    @Override
    void close();
}
