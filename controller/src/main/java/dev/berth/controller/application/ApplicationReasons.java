package dev.berth.controller.application;

/** The Application's condition types and reasons (stable; documented in docs/conditions.md). */
public final class ApplicationReasons {
    /** Condition: a rollout is in progress. */
    public static final String CONDITION_ROLLING_UPDATE = "RollingUpdate";
    /** Condition: the Application serves, but not as its spec says (rollout failed, unhealthy, drift waiting). */
    public static final String CONDITION_DEGRADED = "Degraded";

    public static final String RUNNING = "Running";
    public static final String DEPLOYING = "Deploying";
    public static final String STARTING = "Starting";
    public static final String ROLLOUT_FAILED = "RolloutFailed";
    public static final String UNHEALTHY = "Unhealthy";
    public static final String DRIFT_REPAIR_BACKOFF = "DriftRepairBackoff";
    public static final String DRIFT_REPAIRED = "DriftRepaired";
    public static final String ENV_NOT_RESOLVED = "EnvNotResolved";
    public static final String IMAGE_PULL_SECRET_INVALID = "ImagePullSecretInvalid";
    public static final String SERVER_UNAVAILABLE = "ServerUnavailable";
    public static final String DOCKER_ERROR = "DockerError";
    public static final String NO_ROLLOUT = "NoRollout";
    public static final String AS_SPECIFIED = "AsSpecified";
    public static final String CONTAINERS_LEFT_BEHIND = "ContainersLeftBehind";

    private ApplicationReasons() {
    }
}
