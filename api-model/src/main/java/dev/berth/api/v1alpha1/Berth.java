package dev.berth.api.v1alpha1;

/** Constants shared by the API and the operator: the group, label keys, condition types and reasons. */
public final class Berth {
    public static final String GROUP = "berth.dev";
    public static final String VERSION = "v1alpha1";
    public static final String FINALIZER = "berth.dev/finalizer";

    public static final String LABEL_MANAGED = "berth.dev/managed";
    public static final String LABEL_PROJECT = "berth.dev/project";
    public static final String LABEL_ENVIRONMENT = "berth.dev/environment";
    public static final String LABEL_APP = "berth.dev/app";
    public static final String LABEL_GENERATION = "berth.dev/generation";
    public static final String LABEL_CONFIG_HASH = "berth.dev/config-hash";

    /** Condition types. */
    public static final String CONDITION_READY = "Ready";
    public static final String CONDITION_REACHABLE = "Reachable";
    public static final String CONDITION_DOCKER_READY = "DockerReady";
    public static final String CONDITION_MIRRORED = "Mirrored";

    /** Condition reasons (stable, documented in docs/crds.md). */
    public static final String REASON_INVALID_SPEC = "InvalidSpec";
    public static final String REASON_NOT_CONVERGED = "ConvergenceNotImplemented";
    public static final String REASON_SUSPENDED = "Suspended";
    public static final String REASON_MIRROR_BEHIND = "MirrorBehind";
    public static final String REASON_MIRROR_IN_SYNC = "InSync";

    private Berth() {
    }
}
