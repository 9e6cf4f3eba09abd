package dev.berth.controller.mirror;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Collection;

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
    void resync(Class<? extends HasMetadata> kind, Collection<String> liveUids);

    /**
     * Appends a row to the activity log: an action Berth took on a host on behalf of a resource
     * (e.g. "network.create", "container.start"). {@code detail} must hold no secret.
     */
    void recordActivity(HasMetadata resource, String action, String detail);

    /** True while some writes have not reached PostgreSQL yet. */
    boolean isBehind();

    @Override
    void close();
}
