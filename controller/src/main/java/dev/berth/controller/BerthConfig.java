package dev.berth.controller;

import dev.berth.controller.validation.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's whole configuration, read once at start-up from environment variables (the names in
 * docs/team-notes.md and the README). Defaults work on a developer machine: no database URL means embedded
 * PostgreSQL, no Redis URL means Redis off, leader election off.
 *
 * <p>The last four components are not environment variables: the lease timings and whether losing the lease
 * exits the process (true in production, as JOSDK recommends; tests turn it off so the test JVM survives).
 */
public record BerthConfig(
        boolean localMode,
        Optional<Path> localApply,
        Set<String> namespaces,
        int httpPort,
        boolean leaderElection,
        String leaseName,
        String leaseNamespace,
        Optional<String> databaseUrl,
        Optional<String> databaseUser,
        Optional<String> databasePassword,
        Path embeddedDbDir,
        Optional<String> redisUrl,
        Duration serverCheckInterval,
        Duration appRecheckInterval,
        Duration leaseDuration,
        Duration leaseRenewDeadline,
        Duration leaseRetryPeriod,
        boolean exitOnStopLeading,
        Duration backupOnTime) {

    public BerthConfig {
        namespaces = Set.copyOf(namespaces);
    }

    public static BerthConfig fromEnvironment() {
        return from(System.getenv());
    }

    /** Reads the variables from {@code env}; throws {@link IllegalArgumentException} naming the bad variable. */
    public static BerthConfig from(Map<String, String> env) {
        Optional<String> podNamespace = value(env, "POD_NAMESPACE");
        return new BerthConfig(
                bool(env, "BERTH_LOCAL_MODE", false),
                value(env, "BERTH_LOCAL_APPLY").map(Path::of),
                value(env, "BERTH_NAMESPACES")
                        .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                                .collect(Collectors.toCollection(LinkedHashSet::new)))
                        .orElseGet(LinkedHashSet::new),
                port(env, "BERTH_HTTP_PORT", 8080),
                bool(env, "BERTH_LEADER_ELECTION", false),
                value(env, "BERTH_LEASE_NAME").orElse("berth-operator"),
                value(env, "BERTH_LEASE_NAMESPACE").or(() -> podNamespace).orElse("default"),
                value(env, "BERTH_DATABASE_URL"),
                value(env, "BERTH_DATABASE_USER"),
                value(env, "BERTH_DATABASE_PASSWORD"),
                value(env, "BERTH_EMBEDDED_DB_DIR").map(Path::of)
                        .orElseGet(() -> Path.of(System.getProperty("user.home"), ".berth", "pgdata")),
                value(env, "BERTH_REDIS_URL"),
                duration(env, "BERTH_SERVER_CHECK_INTERVAL", Duration.ofSeconds(60)),
                duration(env, "BERTH_APP_RECHECK_INTERVAL", Duration.ofSeconds(60)),
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2),
                true,
                duration(env, "BERTH_BACKUP_ON_TIME", Duration.ofSeconds(60)));
    }

    /** All namespaces when the set is empty. */
    public boolean watchesAllNamespaces() {
        return namespaces.isEmpty();
    }

    public BerthConfig withHttpPort(int port) {
        return new BerthConfig(localMode, localApply, namespaces, port, leaderElection, leaseName, leaseNamespace,
                databaseUrl, databaseUser, databasePassword, embeddedDbDir, redisUrl, serverCheckInterval,
                appRecheckInterval, leaseDuration, leaseRenewDeadline, leaseRetryPeriod, exitOnStopLeading,
                backupOnTime);
    }

    public BerthConfig withLeaderElection(boolean on, Duration duration, Duration renewDeadline, Duration retryPeriod,
            boolean exitOnStop) {
        return new BerthConfig(localMode, localApply, namespaces, httpPort, on, leaseName, leaseNamespace,
                databaseUrl, databaseUser, databasePassword, embeddedDbDir, redisUrl, serverCheckInterval,
                appRecheckInterval, duration, renewDeadline, retryPeriod, exitOnStop, backupOnTime);
    }

    /** For logs: never the password, and URLs with their credentials masked. */
    @Override
    public String toString() {
        return "BerthConfig{localMode=" + localMode
                + ", localApply=" + localApply.map(Path::toString).orElse("-")
                + ", namespaces=" + (namespaces.isEmpty() ? "(all)" : String.join(",", namespaces))
                + ", httpPort=" + httpPort
                + ", leaderElection=" + leaderElection
                + (leaderElection ? ", lease=" + leaseNamespace + "/" + leaseName : "")
                + ", database=" + databaseUrl.map(BerthConfig::redact).orElse("embedded at " + embeddedDbDir)
                + ", databaseUser=" + databaseUser.orElse("-")
                + ", databasePassword=" + (databasePassword.isPresent() ? "(set)" : "-")
                + ", redis=" + redisUrl.map(BerthConfig::redact).orElse("off")
                + ", serverCheckInterval=" + Durations.format(serverCheckInterval)
                + ", appRecheckInterval=" + Durations.format(appRecheckInterval) + "}";
    }

    /** Masks user info (redis://:pw@host) and password parameters (jdbc:...?password=pw) of a URL. */
    public static String redact(String url) {
        return url.replaceAll("//[^/@]*@", "//***@")
                .replaceAll("(?i)(password|pwd)=[^&;]*", "$1=***");
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private static boolean bool(Map<String, String> env, String name, boolean dflt) {
        return value(env, name).map(v -> switch (v.toLowerCase()) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
        }).orElse(dflt);
    }

    private static int port(Map<String, String> env, String name, int dflt) {
        return value(env, name).map(v -> {
            try {
                int p = Integer.parseInt(v);
                if (p < 0 || p > 65535) {
                    throw new NumberFormatException();
                }
                return p;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a port number (0-65535), got '" + v + "'");
            }
        }).orElse(dflt);
    }

    private static Duration duration(Map<String, String> env, String name, Duration dflt) {
        return value(env, name).map(v -> Durations.parse(v).filter(d -> !d.isZero())
                .orElseThrow(() -> new IllegalArgumentException(
                        name + " must be a duration such as 30s, 5m or 1h, got '" + v + "'")))
                .orElse(dflt);
    }
}
