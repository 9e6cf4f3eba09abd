package dev.berth.controller.server;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.controller.status.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * From one {@link HostCheck} to the Server's status fields, conditions and next check. Pure: no I/O, no clock.
 *
 * <p>{@code status.lastCheckTime} is honest but not chatty: it is set to the check's time whenever the check changes
 * anything else in the status (a condition, a fact, the failure count), and otherwise refreshed only once it is
 * {@value #CHECK_TIME_REFRESH_INTERVALS} check intervals (and at least 10 minutes) old. So a check that finds nothing new writes nothing to
 * the API server; the time of every check is in Redis ({@code berth:server:<uid>:status}).
 *
 * <p>{@code status.consecutiveFailures} counts failed checks in a row while the host is unreachable or Docker does
 * not answer; a problem only a person can fix is counted once when it appears (see {@link #sameStandingProblem}).
 */
public final class ServerStatusRules {

    /** An unchanged status gets a fresh lastCheckTime after this many check intervals... */
    public static final int CHECK_TIME_REFRESH_INTERVALS = 10;
    /** ...but not more often than this (short test intervals must not turn into frequent writes). */
    public static final Duration CHECK_TIME_REFRESH_MIN = Duration.ofMinutes(10);
    /** First pause after a failed check of an unreachable host; doubles per failure up to the check interval. */
    public static final Duration FIRST_RETRY = Duration.ofSeconds(2);

    private ServerStatusRules() {
    }

    /** Writes the check's facts, failure count and (when due) check time into {@code next}; returns the outcome. */
    public static Outcome apply(HostCheck check, ServerStatus previous, ServerStatus next, Instant now,
            Duration interval) {
        HostCheck.Facts f = check.facts();
        setIfKnown(f.hostKeyFingerprint(), next::setHostKeyFingerprint);
        setIfKnown(f.os(), next::setOs);
        setIfKnown(f.dockerVersion(), next::setDockerVersion);
        setIfKnown(f.architecture(), next::setArchitecture);
        setIfKnown(f.cpus(), next::setCpus);
        setIfKnown(f.memoryBytes(), next::setMemoryBytes);
        int failuresBefore = previous == null || previous.getConsecutiveFailures() == null ? 0
                : previous.getConsecutiveFailures();
        int failures = check.ok() ? 0 : sameStandingProblem(check, previous) ? failuresBefore : failuresBefore + 1;
        next.setConsecutiveFailures(failures);

        Outcome outcome = outcome(check, failures, interval);
        boolean changed = factsChanged(previous, next) || conditionsChanged(previous, outcome);
        String lastCheck = previous == null ? null : previous.getLastCheckTime();
        if (changed || stale(lastCheck, now, interval)) {
            next.setLastCheckTime(now.truncatedTo(ChronoUnit.SECONDS).toString());
        }
        return outcome;
    }

    /**
     * Whether the check found again a problem only a person can fix (key, Secret, host key, Docker version) that the
     * status already reports: it is counted once, not per check, so a Server waiting for a person causes no API
     * writes. Failures that heal by themselves (unreachable, Docker not answering) count every check.
     */
    static boolean sameStandingProblem(HostCheck check, ServerStatus previous) {
        if (check.ok() || healsByItself(check.problemReason()) || previous == null
                || previous.getConsecutiveFailures() == null || previous.getConsecutiveFailures() == 0) {
            return false;
        }
        return previous.condition(Berth.CONDITION_READY).map(c -> check.problemReason().equals(c.getReason()))
                .orElse(false);
    }

    static boolean healsByItself(String reason) {
        return ServerReasons.UNREACHABLE.equals(reason) || ServerReasons.DOCKER_UNAVAILABLE.equals(reason);
    }

    /** Ready and the Server's own conditions for a check, and when to look again. */
    public static Outcome outcome(HostCheck check, int failures, Duration interval) {
        HostCheck.Facts f = check.facts();
        List<Condition> extra = new ArrayList<>();
        if (check.reached()) {
            extra.add(condition(Berth.CONDITION_REACHABLE, Condition.TRUE, ServerReasons.CONNECTED,
                    "SSH to " + f.address() + " works; host key " + f.hostKeyFingerprint() + " verified"));
        } else {
            extra.add(condition(Berth.CONDITION_REACHABLE, Condition.FALSE, check.problemReason(),
                    check.problemMessage()));
        }
        if (check.ok()) {
            extra.add(condition(Berth.CONDITION_DOCKER_READY, Condition.TRUE, ServerReasons.DOCKER_AVAILABLE,
                    "Docker Engine " + f.dockerVersion() + " (API " + f.dockerApiVersion() + ") answers on "
                            + f.socketPath() + "; network " + f.network() + " present"));
            return new Outcome(true, "Ready", "Docker " + f.dockerVersion() + " on " + f.os() + " ("
                    + f.architecture() + ", " + f.cpus() + " CPUs, " + gib(f.memoryBytes()) + ")", "Ready", false,
                    extra, Optional.of(interval));
        }
        if (check.reached()) {
            extra.add(condition(Berth.CONDITION_DOCKER_READY, Condition.FALSE, check.problemReason(),
                    check.problemMessage()));
        } else {
            extra.add(condition(Berth.CONDITION_DOCKER_READY, Condition.UNKNOWN, ServerReasons.NOT_CHECKED,
                    "Docker is not checked while the host cannot be reached over SSH"));
        }
        return new Outcome(false, check.problemReason(), check.problemMessage(), check.problemReason(), true, extra,
                recheck(check.problemReason(), failures, interval));
    }

    /**
     * When to check again after a failure: an unreachable host or a Docker engine that did not answer are retried
     * soon (2 s doubling per failure, at most the check interval), so a host back from a reboot is Ready quickly;
     * problems only a person can fix (key, Secret, Docker version) wait a whole interval; a refused host key is not
     * retried at all until the spec changes.
     */
    static Optional<Duration> recheck(String reason, int failures, Duration interval) {
        if (ServerReasons.HOST_KEY_MISMATCH.equals(reason)) {
            return Optional.empty();
        }
        if (healsByItself(reason)) {
            Duration d = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(failures - 1, 0), 20));
            return Optional.of(d.compareTo(interval) < 0 ? d : interval);
        }
        return Optional.of(interval);
    }

    /**
     * The outcome of a reconcile that refuses to contact the host (a host key refused earlier in this generation):
     * everything as the status already says it, so nothing is written.
     */
    public static Outcome unchanged(ServerStatus previous) {
        Condition ready = previous.condition(Berth.CONDITION_READY).orElseThrow();
        List<Condition> extra = new ArrayList<>();
        previous.condition(Berth.CONDITION_REACHABLE).ifPresent(extra::add);
        previous.condition(Berth.CONDITION_DOCKER_READY).ifPresent(extra::add);
        return new Outcome(Condition.TRUE.equals(ready.getStatus()), ready.getReason(), ready.getMessage(),
                previous.getState(), true, extra, Optional.empty());
    }

    static boolean stale(String lastCheckTime, Instant now, Duration interval) {
        if (lastCheckTime == null) {
            return true;
        }
        try {
            Instant last = Instant.parse(lastCheckTime);
            Duration refresh = interval.multipliedBy(CHECK_TIME_REFRESH_INTERVALS);
            return !last.plus(refresh.compareTo(CHECK_TIME_REFRESH_MIN) < 0 ? CHECK_TIME_REFRESH_MIN : refresh)
                    .isAfter(now);
        } catch (RuntimeException e) {
            return true;
        }
    }

    private static boolean factsChanged(ServerStatus previous, ServerStatus next) {
        if (previous == null) {
            return true;
        }
        return !Objects.equals(previous.getHostKeyFingerprint(), next.getHostKeyFingerprint())
                || !Objects.equals(previous.getOs(), next.getOs())
                || !Objects.equals(previous.getDockerVersion(), next.getDockerVersion())
                || !Objects.equals(previous.getArchitecture(), next.getArchitecture())
                || !Objects.equals(previous.getCpus(), next.getCpus())
                || !Objects.equals(previous.getMemoryBytes(), next.getMemoryBytes())
                || !Objects.equals(previous.getConsecutiveFailures(), next.getConsecutiveFailures());
    }

    private static boolean conditionsChanged(ServerStatus previous, Outcome outcome) {
        if (previous == null) {
            return true;
        }
        List<Condition> now = new ArrayList<>(outcome.extraConditions());
        now.add(condition(Berth.CONDITION_READY, outcome.ready() ? Condition.TRUE : Condition.FALSE,
                outcome.reason(), outcome.message()));
        for (Condition c : now) {
            Optional<Condition> old = previous.condition(c.getType());
            if (old.isEmpty() || !Objects.equals(old.get().getStatus(), c.getStatus())
                    || !Objects.equals(old.get().getReason(), c.getReason())
                    || !Objects.equals(old.get().getMessage(), c.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private static Condition condition(String type, String status, String reason, String message) {
        Condition c = new Condition();
        c.setType(type);
        c.setStatus(status);
        c.setReason(reason);
        c.setMessage(message);
        return c;
    }

    private static String gib(Long bytes) {
        if (bytes == null) {
            return "memory unknown";
        }
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static <T> void setIfKnown(T value, java.util.function.Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
