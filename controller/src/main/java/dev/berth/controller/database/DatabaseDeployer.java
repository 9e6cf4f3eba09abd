package dev.berth.controller.database;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.api.v1alpha1.StandaloneDatabaseStatus;
import dev.berth.controller.database.DatabasePlan.Phase;
import dev.berth.controller.database.DatabasePlan.Step;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import dev.berth.controller.host.HostFacts;
import dev.berth.controller.host.ObservedContainer;
import dev.berth.controller.host.ServerAccessException;
import dev.berth.controller.host.ServerHost;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O half of a database's convergence, kept thin: observe the host (the database's containers by label, its
 * volume, and — until the engine has answered once — the readiness check by {@code docker exec}), hand that to the
 * pure {@link DatabasePlanner}, run its steps through the Server's {@link DockerHost}, and turn the phase into status.
 * Every host action is a row in the mirror's activity log. One call = one look; waits are reschedules, but for one:
 * the look that started a container may wait in place (about 2 s at most) for the engine's first answer.
 */
final class DatabaseDeployer {
    private static final Logger log = LoggerFactory.getLogger(DatabaseDeployer.class);
    static final Duration HOST_RETRY = Duration.ofSeconds(15);
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(15);
    static final Duration MAX_PULL = Duration.ofMinutes(10);
    static final String MASK = "******";
    /** How long the look that started a container waits in place for the engine's first answer. */
    static final Duration FIRST_ANSWER_WAIT = Duration.ofSeconds(2);
    /**
     * How often it asks meanwhile: {@link #FIRST_ANSWER_STEP} after the first try, a step longer after each, at most
     * this (a client polling for the database would ask every 100 ms). The fast engines answer 50–150 ms after their
     * start, so short first waits find the answer when it comes; the slow ones are asked every 100 ms soon.
     */
    static final Duration FIRST_ANSWER_POLL = Duration.ofMillis(100);
    static final Duration FIRST_ANSWER_STEP = Duration.ofMillis(20);
    /** Looks that may wait in place at once; the others reschedule as usual. */
    static final int FIRST_ANSWER_WAITERS = 4;

    private final ReconcilerServices services;
    private final HostFacts facts;
    private final Semaphore firstAnswerWaiters = new Semaphore(FIRST_ANSWER_WAITERS);

    DatabaseDeployer(ReconcilerServices services) {
        this.services = services;
        this.facts = new HostFacts(services.clock());
    }

    /**
     * What the reconciler knows before touching the host.
     *
     * @param appliedPassword the password the engine was last seen to accept (the connection Secret's), if known
     */
    record Inputs(StandaloneDatabase db, Server server, DatabaseLogin login, String credentialsSecretName,
            Optional<String> appliedPassword) {
    }

    /**
     * One look's facts.
     *
     * @param volumeKey the key on the volume, or the one a volume created in this look gets (null: a volume without)
     */
    private record Look(Inputs in, ServerHost host, DesiredDatabase desired, StandaloneDatabaseStatus status,
            Instant now, boolean volumeExists, String volumeKey) {
        StandaloneDatabase db() {
            return in.db();
        }

        String serverName() {
            return in.server().getMetadata().getName();
        }
    }

    static String network(Server server) {
        return server.getSpec().getNetwork() == null ? "berth" : server.getSpec().getNetwork();
    }

    Outcome converge(Inputs in, StandaloneDatabaseStatus status) {
        StandaloneDatabase db = in.db();
        Server server = in.server();
        DockerHost docker;
        try {
            docker = services.serverAccess().dockerHost(server);
        } catch (ServerAccessException e) {
            return notReady(DatabaseReasons.SERVER_UNAVAILABLE, "Server " + server.getMetadata().getName()
                    + " cannot be used (" + e.reason() + "): " + e.getMessage(), "Waiting", HOST_RETRY, false);
        }
        ServerHost host = ServerHost.of(docker, server, facts);
        try {
            // The volume first: the key on it is what the password's fingerprint in the configuration hash is keyed by.
            Optional<Map<String, String>> volumeLabels = docker.volumeLabels(DesiredDatabase.volumeName(db));
            String volumeKey = PasswordFingerprint.volumeKey(volumeLabels);
            DesiredDatabase desired = DesiredDatabase.compute(db, in.login(), network(server), volumeKey);
            return look(new Look(in, host, desired, status, services.clock().instant(), volumeLabels.isPresent(),
                    volumeKey));
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                host.forget(DesiredDatabase.image(db.getSpec()), network(server));
            }
            boolean unreachable = e.kind() == DockerHostException.Kind.Unavailable
                    || e.kind() == DockerHostException.Kind.Timeout;
            String message = "Docker on Server " + server.getMetadata().getName() + ": " + scrub(e.getMessage(), in.login());
            return notReady(unreachable ? DatabaseReasons.SERVER_UNAVAILABLE : DatabaseReasons.DOCKER_ERROR, message,
                    "Waiting", unreachable ? HOST_RETRY : HOST_RETRY.multipliedBy(2), !unreachable);
        }
    }

    private Outcome look(Look look) {
        DockerHost docker = look.host().docker();
        DesiredDatabase desired = look.desired();
        List<ObservedContainer> observed = observe(docker, look.db(), desired);
        Optional<Outcome> refused = changePassword(look, observed);
        if (refused.isPresent()) {
            return refused.get();
        }
        boolean volumeExists = look.volumeExists();
        Asked asked = askIfNeeded(look, observed);
        StandaloneDatabaseStatus status = look.status();
        DatabasePlanner.Input input = new DatabasePlanner.Input(desired, observed, volumeExists, status.getConfigHash(),
                status.getImage(), status.getFailedConfigHash(), Boolean.TRUE.equals(look.db().getSpec().getSuspend()),
                asked.answers(), look.now(), wasSuspended(status));
        DatabasePlan plan = DatabasePlanner.plan(input);
        fillStatus(look, status);
        boolean creates = plan.steps().stream().anyMatch(s -> s instanceof DatabasePlan.Create);
        if (creates) {
            // The image first, before anything is stopped: an image that cannot be had changes nothing.
            Optional<String> cannot = ensureImage(look);
            if (cannot.isPresent()) {
                return notReady(DatabaseReasons.IMAGE_UNAVAILABLE, cannot.get()
                        + "; the database is left as it is. Berth retries on the periodic re-check", "Failed",
                        HOST_RETRY.multipliedBy(4), true);
            }
            look.host().ensureNetwork(desired.network());
        }
        if (plan.failing() != null) {
            return failed(look, plan, look.host().lastLogLines(plan.failing().id()));
        }
        Acted acted = act(look, plan, input, observed);
        if (acted.refused().isPresent()) {
            return acted.refused().get();
        }
        recordDrift(look, plan);
        if (plan.phase() == Phase.STARTING && acted.started() != null) {
            Optional<Outcome> ready = readyInPlace(look, acted.started(), observed.isEmpty());
            if (ready.isPresent()) {
                return ready.get();
            }
        }
        return outcome(look, plan, asked);
    }

    /**
     * The look that started a container waits in place for the engine's first answer, asking every
     * {@link #FIRST_ANSWER_POLL} for up to {@link #FIRST_ANSWER_WAIT}: the fast engines (the Redis family) answer
     * within a few hundred ms, and a reschedule, a fresh look (list, inspect, volume) and a status write in between
     * would be most of their time to Ready. When the engine answers, the database is looked at again and planned
     * with that answer (Ready, the old containers removed) in this same look; otherwise the look ends as it would
     * have (Starting, looked at again soon). At most {@link #FIRST_ANSWER_WAITERS} looks wait like this at once, so
     * that many databases starting together do not hold the reconcile threads; the others reschedule.
     */
    private Optional<Outcome> readyInPlace(Look look, String started, boolean onlyContainer) {
        Asked first = awaitFirstAnswer(look, started);
        if (!Boolean.TRUE.equals(first.answers())) {
            return Optional.empty();
        }
        DesiredDatabase desired = look.desired();
        StandaloneDatabaseStatus status = look.status();
        // A first start (the look found no container of the database) needs only the new one's state.
        List<ObservedContainer> observed = onlyContainer ? look.host().docker().inspectContainer(started)
                .map(c -> List.of(ObservedContainer.of(c, desired.network(), desired.host()))).orElse(List.of())
                : observe(look.host().docker(), look.db(), desired);
        DatabasePlanner.Input input = new DatabasePlanner.Input(desired, observed, true, status.getConfigHash(),
                status.getImage(), status.getFailedConfigHash(), false, true, services.clock().instant(),
                wasSuspended(status));
        DatabasePlan plan = DatabasePlanner.plan(input);
        if (plan.phase() != Phase.READY || !plan.ready().id().equals(started)) {
            return Optional.empty(); // something changed meanwhile: the next look sees it
        }
        act(look, plan, input, observed);
        return Optional.of(outcome(look, plan, first));
    }

    /** The wait after the {@code attempt}-th unanswered ask: 20, 40, 60, 80 ms, then 100 ms. */
    static Duration firstAnswerPause(int attempt) {
        Duration step = FIRST_ANSWER_STEP.multipliedBy(attempt);
        return step.compareTo(FIRST_ANSWER_POLL) < 0 ? step : FIRST_ANSWER_POLL;
    }

    /** The readiness check (with the version query) on a container just started, until it passes or time is up. */
    private Asked awaitFirstAnswer(Look look, String id) {
        if (!firstAnswerWaiters.tryAcquire()) {
            return Asked.NOT_ASKED;
        }
        try {
            DesiredDatabase d = look.desired();
            ReadinessCheck check = EngineVersion.withReadiness(d.engine(), d.login());
            long deadline = System.nanoTime() + FIRST_ANSWER_WAIT.toNanos();
            for (int attempt = 1; ; attempt++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Answer answer = ask(look.host().docker(), id, check, out);
                if (answer == Answer.YES) {
                    return new Asked(true, true, EngineVersion.parse(d.engine(), out.toString(StandardCharsets.UTF_8)));
                }
                long pause = firstAnswerPause(attempt).toMillis();
                if (answer == Answer.NOT_RUNNING || System.nanoTime() + pause * 1_000_000 - deadline >= 0) {
                    return Asked.NOT_ASKED; // exited (the next look reads why) or slow: the usual looks go on
                }
                Thread.sleep(pause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Asked.NOT_ASKED;
        } finally {
            firstAnswerWaiters.release();
        }
    }

    /**
     * A password changed in the credentials Secret is applied inside the running engine before anything else (the
     * container is then replaced, with the new password in its environment): engines that keep the password in their
     * data would otherwise refuse the new one. The exec tries the new password first, so running it again is harmless.
     */
    private Optional<Outcome> changePassword(Look look, List<ObservedContainer> observed) {
        DatabaseLogin login = look.in().login();
        if (!PasswordChange.due(look.in().appliedPassword(), login)) {
            return Optional.empty();
        }
        Optional<ObservedContainer> running = observed.stream().filter(ObservedContainer::running).findFirst();
        if (running.isEmpty()) {
            return Optional.empty();
        }
        DatabaseLogin previous = new DatabaseLogin(login.username(), look.in().appliedPassword().get(), login.database());
        PasswordChange change = look.desired().engine().passwordChange(previous, login.password());
        if (!(change instanceof PasswordChange.InPlace exec)) {
            return Optional.empty();
        }
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        long code = look.host().docker().exec(running.get().id(), exec.command(), exec.envEntries(), null, sink, sink,
                CHECK_TIMEOUT);
        if (code == 0) {
            activity(look, "database.password", "the login " + login.username() + " took the password of Secret "
                    + look.in().credentialsSecretName() + " in container " + running.get().name());
            return Optional.empty();
        }
        return Optional.of(notReady(PasswordChange.FAILED_REASON,
                exec.failureMessage((int) code, look.in().credentialsSecretName()), "Failed", HOST_RETRY.multipliedBy(4),
                true));
    }

    /** The database's containers on the host, inspected (state, health, start time, aliases). */
    private static List<ObservedContainer> observe(DockerHost docker, StandaloneDatabase db, DesiredDatabase desired) {
        List<ObservedContainer> out = new ArrayList<>();
        for (DockerHost.ContainerSummary s : docker.findContainers(DesiredDatabase.selector(db))) {
            docker.inspectContainer(s.id()).map(c -> ObservedContainer.of(c, desired.network(), desired.host()))
                    .ifPresent(out::add);
        }
        return out;
    }

    /**
     * What the readiness check said in this look: {@code answers} null when it was not asked; {@code versionAsked}
     * when the version query ran with it ({@code version} then holds what the engine said, or null).
     */
    private record Asked(Boolean answers, boolean versionAsked, String version) {
        static final Asked NOT_ASKED = new Asked(null, false, null);
    }

    /**
     * The readiness check, run while the engine has not answered in this container yet (after that, Docker's own
     * health check is read, so a look with nothing changed writes nothing to Docker). While status has no version
     * for this container, the version query rides in the same exec ({@link EngineVersion#withReadiness}): the look
     * that turns Ready makes no second round trip for it.
     */
    private Asked askIfNeeded(Look look, List<ObservedContainer> observed) {
        StandaloneDatabaseStatus status = look.status();
        Optional<ObservedContainer> current = observed.stream()
                .filter(c -> look.desired().configHash().equals(c.configHash()) && c.running()).findFirst();
        if (current.isEmpty()) {
            return Asked.NOT_ASKED;
        }
        boolean sameContainer = current.get().id().equals(status.getContainerId());
        boolean answeredHere = sameContainer && look.desired().configHash().equals(status.getConfigHash())
                && readyBefore(status);
        if (answeredHere && "healthy".equals(current.get().health())) {
            return Asked.NOT_ASKED;
        }
        // Docker's check has not passed (yet) in this container — just (re)started, or failing: ask the engine.
        DesiredDatabase d = look.desired();
        if (sameContainer && status.getEngineVersion() != null) {
            return new Asked(answers(look.host().docker(), current.get().id(), d.readiness(), null), false, null);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean answers = answers(look.host().docker(), current.get().id(),
                EngineVersion.withReadiness(d.engine(), d.login()), out);
        return new Asked(answers, answers, answers
                ? EngineVersion.parse(d.engine(), out.toString(StandardCharsets.UTF_8)) : null);
    }

    /** Runs the check; its standard output goes to {@code stdout} when given. */
    private static boolean answers(DockerHost docker, String id, ReadinessCheck check, ByteArrayOutputStream stdout) {
        return ask(docker, id, check, stdout) == Answer.YES;
    }

    /** What a readiness check said: passed, failed, or could not run because the container is not running. */
    private enum Answer { YES, NO, NOT_RUNNING }

    private static Answer ask(DockerHost docker, String id, ReadinessCheck check, ByteArrayOutputStream stdout) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try {
            return docker.exec(id, check.command(), check.envEntries(), null, stdout == null ? sink : stdout, sink,
                    CHECK_TIMEOUT) == 0 ? Answer.YES : Answer.NO;
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.Conflict || e.kind() == DockerHostException.Kind.NotFound) {
                return Answer.NOT_RUNNING; // stopped or gone meanwhile: the next look sees it
            }
            throw e;
        }
    }

    /** The previous status said the database was suspended (its reason, not the text shown to people). */
    private static boolean wasSuspended(StandaloneDatabaseStatus status) {
        return status.condition(Berth.CONDITION_READY).map(c -> Berth.REASON_SUSPENDED.equals(c.getReason()))
                .orElse(false);
    }

    private static boolean readyBefore(StandaloneDatabaseStatus status) {
        return status.condition(Berth.CONDITION_READY).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    private Optional<String> ensureImage(Look look) {
        return look.host().ensureImage(look.desired().image(), () -> null, null, MAX_PULL,
                text -> scrub(text, look.in().login()), new ServerHost.PullLog() {
                    @Override
                    public void line(String text) {
                    }

                    @Override
                    public void pulled(String image) {
                        activity(look, "image.pull", image + " on Server " + look.serverName());
                    }
                });
    }

    /**
     * Runs the plan's steps in order. A start refused because the public port is taken fails the configuration the
     * way a failing engine does (the previous one is started again); that outcome is returned, with the container
     * started (the last, when a rollback started another).
     */
    private Acted act(Look look, DatabasePlan plan, DatabasePlanner.Input input, List<ObservedContainer> observed) {
        DockerHost docker = look.host().docker();
        DesiredDatabase desired = look.desired();
        String created = null;
        String started = null;
        for (Step step : plan.steps()) {
            if (step instanceof DatabasePlan.CreateVolume v) {
                // The plan makes a volume only when this look saw none (the key it carries is this look's).
                docker.createVolume(v.name(), DesiredDatabase.volumeLabels(look.db(), look.volumeKey()));
                activity(look, "volume.create", "volume " + v.name() + " on Server " + look.serverName());
            } else if (step instanceof DatabasePlan.Stop s) {
                docker.stopContainer(s.id(), desired.engine().stopGrace());
                activity(look, "container.stop", "container " + s.name() + " on Server " + look.serverName()
                        + " (" + desired.engine().stopSignal() + ", up to " + desired.engine().stopGrace().toSeconds()
                        + "s to shut down cleanly)");
            } else if (step instanceof DatabasePlan.Remove r) {
                if (docker.removeContainer(r.id(), true)) { // stopped (or crash-looping): nothing to lose but itself
                    activity(look, "container.remove", "container " + r.name() + " on Server " + look.serverName());
                }
            } else if (step instanceof DatabasePlan.Create) {
                created = look.host().create(desired.container());
                activity(look, "container.create", "container " + desired.container().name() + " ("
                        + desired.image() + ") on volume " + desired.volume() + " on Server " + look.serverName());
            } else if (step instanceof DatabasePlan.Start st) {
                String id = st.id() == null ? created : st.id();
                try {
                    look.host().start(id, desired.network());
                } catch (DockerHostException e) {
                    if (st.id() == null && portTaken(e)) {
                        return new Acted(Optional.of(publicPortInUse(look, input, observed, id, e)), null);
                    }
                    throw e;
                }
                started = id;
                activity(look, "container.start", "container " + st.name() + " on Server " + look.serverName());
            }
        }
        return new Acted(Optional.empty(), started);
    }

    /** What {@link #act} did: an outcome that ends the look (a public port taken), and the container it started. */
    private record Acted(Optional<Outcome> refused, String started) {
    }

    static boolean portTaken(DockerHostException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase();
        return m.contains("port is already allocated") || m.contains("address already in use");
    }

    /** The new container could not bind the public port: it goes, and the previous configuration comes back. */
    private Outcome publicPortInUse(Look look, DatabasePlanner.Input input, List<ObservedContainer> observed,
            String createdId, DockerHostException e) {
        DockerHost docker = look.host().docker();
        if (docker.removeContainer(createdId, true)) {
            activity(look, "container.remove", "container " + look.desired().container().name() + " on Server "
                    + look.serverName() + ": public port " + look.desired().publicPort() + " is taken");
        }
        List<ObservedContainer> others = observed.stream()
                .filter(c -> !look.desired().configHash().equals(c.configHash())).toList();
        Optional<ObservedContainer> previous = DatabasePlanner.rollbackTarget(input, others);
        previous.ifPresent(p -> {
            look.host().start(p.id(), look.desired().network());
            activity(look, "container.start", "container " + p.name() + " on Server " + look.serverName()
                    + ": the previous configuration, again");
        });
        look.status().setFailedConfigHash(look.desired().configHash());
        String message = "public port " + look.desired().publicPort() + " is already in use on Server "
                + look.serverName() + " (" + scrub(e.getMessage(), look.in().login()) + ")"
                + (previous.isPresent() ? "; the previous configuration was started again" : "")
                + ". Choose another spec.publicPort or free the port; Berth tries again when the spec changes";
        services.events().record(look.db(), EventRecorder.WARNING, DatabaseReasons.PUBLIC_PORT_IN_USE, message);
        return notReady(DatabaseReasons.PUBLIC_PORT_IN_USE, message, "Failed", null, true);
    }

    /** A configuration that failed: the plan's steps (remove it, maybe start the previous one), then the reason. */
    private Outcome failed(Look look, DatabasePlan plan, String logs) {
        act(look, plan, null, List.of());
        StandaloneDatabaseStatus status = look.status();
        status.setFailedConfigHash(look.desired().configHash());
        String scrubbed = scrub(logs, look.in().login());
        String message = "the " + look.desired().engine().name().toLowerCase() + " container " + plan.failing().name()
                + " failed: " + plan.detail() + ". Berth tries again when the spec changes"
                + (scrubbed == null || scrubbed.isBlank() ? "" : ". Last log lines:\n" + scrubbed);
        services.meters().counter("berth.database.failures", "engine", look.desired().engine().name().toLowerCase())
                .increment();
        log.warn("StandaloneDatabase {}/{}: {}", look.db().getMetadata().getNamespace(), look.db().getMetadata().getName(),
                plan.detail());
        return notReady(DatabaseReasons.DATABASE_FAILED, message, "Failed", null, true);
    }

    private void recordDrift(Look look, DatabasePlan plan) {
        if (plan.drift() == null) {
            return;
        }
        services.meters().counter("berth.database.drift", "kind", plan.drift().contains("removed") ? "removed" : "stopped")
                .increment();
        String message = plan.drift() + " out of band; Berth put it back on volume " + look.desired().volume();
        log.warn("StandaloneDatabase {}/{}: {}", look.db().getMetadata().getNamespace(),
                look.db().getMetadata().getName(), message);
        services.events().record(look.db(), EventRecorder.WARNING, DatabaseReasons.DRIFT_REPAIRED, message);
    }

    /** What status says whatever the phase: where clients connect, the volume. */
    private static void fillStatus(Look look, StandaloneDatabaseStatus status) {
        DesiredDatabase d = look.desired();
        status.setHost(d.host());
        status.setPort(d.port());
        status.setPublicPort(d.publicPort());
        status.setVolumeName(d.volume());
    }

    private Outcome outcome(Look look, DatabasePlan plan, Asked asked) {
        StandaloneDatabaseStatus status = look.status();
        DesiredDatabase d = look.desired();
        String server = look.serverName();
        return switch (plan.phase()) {
            case READY -> {
                ObservedContainer c = plan.ready();
                boolean newContainer = !c.id().equals(status.getContainerId()) || status.getEngineVersion() == null;
                status.setContainerId(c.id());
                status.setImage(d.image());
                status.setConfigHash(d.configHash());
                status.setFailedConfigHash(null);
                if (newContainer) {
                    status.setEngineVersion(asked.versionAsked() ? asked.version()
                            : version(look.host().docker(), c.id(), d));
                }
                yield Outcome.ready(d.engine().name().toLowerCase() + " " + Objects.requireNonNullElse(
                        status.getEngineVersion(), "") + " accepts connections at " + d.host() + ":" + d.port()
                        + " on the Berth network of Server " + server
                        + (d.publicPort() == null ? "" : " and on port " + d.publicPort() + " of the Server"));
            }
            case STARTING -> notReady(DatabaseReasons.STARTING, plan.detail() + " (" + d.image() + " on Server "
                    + server + ")", "Starting", plan.recheck().orElse(DatabasePlanner.POLL), false);
            case UNHEALTHY -> notReady(DatabaseReasons.DATABASE_UNHEALTHY, plan.detail(), "Unhealthy",
                    plan.recheck().orElse(DatabasePlanner.POLL), true);
            case SUSPENDED -> notReady(Berth.REASON_SUSPENDED, plan.detail(), "Suspended", null, false);
            case VOLUME_MISSING -> notReady(DatabaseReasons.DATA_VOLUME_MISSING, plan.detail() + ". If the data is "
                    + "gone for good and an empty database is wanted, create the volume by hand (docker volume create "
                    + d.volume() + " on Server " + server + "); otherwise restore the volume (docs/databases.md)",
                    "Failed", null, true);
            case MAJOR_UPGRADE_REFUSED -> notReady(DatabaseReasons.MAJOR_UPGRADE_NOT_SUPPORTED, plan.detail(), "Failed",
                    null, true);
            case FAILED -> {
                String message = status.condition(Berth.CONDITION_READY)
                        .filter(c -> DatabaseReasons.DATABASE_FAILED.equals(c.getReason())
                                || DatabaseReasons.PUBLIC_PORT_IN_USE.equals(c.getReason()))
                        .map(c -> c.getMessage()).orElse(plan.detail());
                String reason = status.condition(Berth.CONDITION_READY)
                        .filter(c -> DatabaseReasons.PUBLIC_PORT_IN_USE.equals(c.getReason()))
                        .map(c -> c.getReason()).orElse(DatabaseReasons.DATABASE_FAILED);
                yield notReady(reason, message, "Failed", null, true);
            }
        };
    }

    /** The version the engine reports; null when it does not say (the next new container asks again). */
    private String version(DockerHost docker, String id, DesiredDatabase d) {
        ReadinessCheck query = EngineVersion.query(d.engine(), d.login());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            long code = docker.exec(id, query.command(), query.envEntries(), null, out, new ByteArrayOutputStream(),
                    CHECK_TIMEOUT);
            return code == 0 ? EngineVersion.parse(d.engine(), out.toString(StandardCharsets.UTF_8)) : null;
        } catch (DockerHostException e) {
            log.debug("version query failed: {}", e.kind());
            return null;
        }
    }

    /**
     * Takes the database off its host: its containers get the engine's stop and grace and are removed; the volume
     * is removed only with {@code deletionPolicy: Delete}.
     */
    void remove(StandaloneDatabase db, Server server) throws ServerAccessException {
        DockerHost docker = services.serverAccess().dockerHost(server);
        DatabaseEngine engine = DatabaseEngine.of(db.getSpec().getEngine());
        String serverName = server.getMetadata().getName();
        for (DockerHost.ContainerSummary c : docker.findContainers(DesiredDatabase.selector(db))) {
            if ("running".equalsIgnoreCase(c.state())) {
                docker.stopContainer(c.id(), engine.stopGrace());
            }
            if (docker.removeContainer(c.id(), true)) {
                services.mirror().recordActivity(db, "container.remove", "container " + c.name() + " on Server "
                        + serverName + ": the StandaloneDatabase was deleted");
            }
        }
        String volume = DesiredDatabase.volumeName(db);
        StandaloneDatabaseSpec.Storage storage = db.getSpec().getStorage();
        if (storage != null && storage.getDeletionPolicy() == StandaloneDatabaseSpec.DeletionPolicy.Delete) {
            if (docker.removeVolume(volume)) {
                services.mirror().recordActivity(db, "volume.remove", "volume " + volume + " on Server " + serverName
                        + ": the StandaloneDatabase was deleted (deletionPolicy Delete)");
            }
        } else {
            log.info("StandaloneDatabase {}/{}: volume {} kept on Server {} (deletionPolicy Retain)",
                    db.getMetadata().getNamespace(), db.getMetadata().getName(), volume, serverName);
        }
    }

    private void activity(Look look, String action, String detail) {
        services.mirror().recordActivity(look.db(), action, detail);
    }

    /** The password never reaches status, an Event or a log line, whatever a tool printed. */
    static String scrub(String text, DatabaseLogin login) {
        if (text == null || login.password().isEmpty()) {
            return text;
        }
        String encoded = java.net.URLEncoder.encode(login.password(), StandardCharsets.UTF_8).replace("+", "%20");
        return text.replace(login.password(), MASK).replace(encoded, MASK); // also as it is in a uri
    }

    static Outcome notReady(String reason, String message, String state, Duration recheck, boolean warning) {
        return new Outcome(false, reason, message, state, warning, List.of(), Optional.ofNullable(recheck));
    }
}
