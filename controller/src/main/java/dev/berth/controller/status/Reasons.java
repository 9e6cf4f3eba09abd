package dev.berth.controller.status;

/**
 * Condition reasons the operator uses beyond those in {@link dev.berth.api.v1alpha1.Berth} (stable, CamelCase,
 * listed in docs/crds.md).
 */
public final class Reasons {
    /** An Application or StandaloneDatabase names a Server that does not exist in its namespace. */
    public static final String SERVER_NOT_FOUND = "ServerNotFound";
    /** A ScheduledBackup names a StandaloneDatabase that does not exist in its namespace. */
    public static final String DATABASE_NOT_FOUND = "DatabaseNotFound";

    private Reasons() {
    }
}
