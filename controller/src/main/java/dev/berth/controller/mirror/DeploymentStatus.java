package dev.berth.controller.mirror;

/** The states of a row of the deployment history, as stored (Coolify's names). */
public enum DeploymentStatus {
    QUEUED("queued"),
    IN_PROGRESS("in_progress"),
    FINISHED("finished"),
    FAILED("failed"),
    /** The new version failed and the previous one was kept (or put back) serving. */
    ROLLED_BACK("rolled_back");

    private final String value;

    DeploymentStatus(String value) {
        this.value = value;
    }

    /** The value in the status column. */
    public String value() {
        return value;
    }

    /** True for the states a deployment ends in. */
    public boolean isFinal() {
        return this == FINISHED || this == FAILED || this == ROLLED_BACK;
    }
}
