package dev.berth.api.v1alpha1;

/** Regular expressions shared by the CRD schema and the operator's own validation. */
public final class Patterns {
    public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** Go-style durations the operator accepts: 90s, 5m, 1h30m, 500ms. */
    public static final String DURATION = "^([0-9]+(ms|s|m|h|d))+$";
    /** Docker memory sizes: 512m, 1g, 1073741824. */
    public static final String MEMORY = "^[0-9]+(b|k|m|g|B|K|M|G|Ki|Mi|Gi)?$";
    public static final String CPUS = "^[0-9]+(\\.[0-9]+)?$";
    public static final String FINGERPRINT = "^SHA256:[A-Za-z0-9+/]{43}=?$";
    public static final String DOCKER_NAME = "^[a-zA-Z0-9][a-zA-Z0-9_.-]*$";
    public static final String ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]*$";
    public static final String VERSION = "^[0-9]+(\\.[0-9]+){0,2}$";
    public static final String ABSOLUTE_PATH = "^/.*$";

    private Patterns() {
    }
}
