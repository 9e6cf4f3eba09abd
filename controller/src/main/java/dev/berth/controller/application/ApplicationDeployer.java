package dev.berth.controller.application;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationStatus;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.Server;
import dev.berth.controller.application.RolloutPlan.Action;
import dev.berth.controller.application.RolloutPlan.Phase;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import dev.berth.controller.host.DriftBackoff;
import dev.berth.controller.host.HostFacts;
import dev.berth.controller.host.LostStarts;
import dev.berth.controller.host.ObservedContainer;
import dev.berth.controller.host.RegistryCredentials;
import dev.berth.controller.host.ServerAccessException;
import dev.berth.controller.host.ServerHost;
import dev.berth.controller.mirror.DeploymentStatus;
import dev.berth.controller.reconcile.ReconcilerServices;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import dev.berth.controller.validation.Durations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O half of an Application's convergence, kept thin: observe the host (containers by label, inspected for
 * health), hand desired and observed to the pure {@link RolloutPlanner}, apply its actions through the Server's
 * {@link DockerHost}, and turn the plan's phase into status and history. One call = one look; waits are
 * reschedules ({@link Outcome#recheckAfter()}), never sleeps. When the new containers are healthy as soon as they
 * run, the look that starts them inspects them once and finishes the rollout
 * ({@link RolloutPlanner#finishInSameLook}). Facts about the host itself (image present and its digest, network
 * there) come from {@link HostFacts}, shared by all Applications on the host for a few seconds.
 */
final class ApplicationDeployer {
    private static final Logger log = LoggerFactory.getLogger(ApplicationDeployer.class);
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    static final Duration MAX_PULL = Duration.ofMinutes(10);
    static final Duration HOST_RETRY = Duration.ofSeconds(15);

    private final ReconcilerServices services;
    private final DeploymentHistory history;
    private final HostFacts facts;
    private final DriftBackoff driftBackoff = new DriftBackoff();
    /** Containers taken out of DNS by this process, and until when they drain (by container id). */
    private final Map<String, Instant> drainingUntil = new java.util.concurrent.ConcurrentHashMap<>();
    private final LostStarts lostStarts = new LostStarts();

    ApplicationDeployer(ReconcilerServices services, DeploymentHistory history) {
        this.services = services;
        this.history = history;
        this.facts = new HostFacts(services.clock());
    }

    /** What the reconciler knows before touching the host. */
    record Inputs(Application app, Server server, EnvResolution env, Function<String, Optional<Map<String, String>>> secrets) {
    }

    Outcome converge(Inputs in, ApplicationStatus status) {
        Application app = in.app();
        Server server = in.server();
        DesiredState desired = DesiredContainers.compute(app, in.env().env(), network(server));
        Instant now = services.clock().instant();
        DockerHost docker;
        try {
            docker = services.serverAccess().dockerHost(server);
        } catch (ServerAccessException e) {
            return notReady(ApplicationReasons.SERVER_UNAVAILABLE, "Server " + server.getMetadata().getName()
                    + " cannot be used (" + e.reason() + "): " + e.getMessage(), "Waiting", HOST_RETRY, false);
        }
        ServerHost host = ServerHost.of(docker, server, facts);
        try {
            List<ObservedContainer> observed = observe(docker, app, desired.network(), desired.servingAlias());
            confirmLostStarts(app, observed, server.getMetadata().getName());
            Optional<Instant> backoffUntil = driftBackoff.notBefore(app.getMetadata().getUid(), now);
            RolloutPlanner.Input input = new RolloutPlanner.Input(desired, observed,
                    new HashSet<>(status.getContainers() == null ? List.of() : status.getContainers()),
                    failedHash(app, desired, status), Boolean.TRUE.equals(app.getSpec().getSuspend()),
                    wasSuspended(status), backoffUntil.isEmpty(), now, drainingOf(observed));
            return apply(new Look(in, host, desired, input, status, now, backoffUntil), RolloutPlanner.plan(input));
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                host.forget(desired.image(), desired.network()); // gone behind Berth's back: ask again
            }
            boolean unreachable = e.kind() == DockerHostException.Kind.Unavailable
                    || e.kind() == DockerHostException.Kind.Timeout;
            history.active(app).ifPresent(run -> history.line(run, "Docker on " + docker.id() + ": "
                    + in.env().redact(e.getMessage())));
            return notReady(unreachable ? ApplicationReasons.SERVER_UNAVAILABLE : ApplicationReasons.DOCKER_ERROR,
                    "Docker on Server " + server.getMetadata().getName() + ": " + in.env().redact(e.getMessage()),
                    "Waiting", unreachable ? HOST_RETRY : HOST_RETRY.multipliedBy(2), !unreachable);
        }
    }

    private static String network(Server server) {
        return server.getSpec().getNetwork() == null ? "berth" : server.getSpec().getNetwork();
    }

    /** The previous status said the Application was suspended (its reason, not the text shown to people). */
    private static boolean wasSuspended(ApplicationStatus status) {
        return status.condition(Berth.CONDITION_READY).map(c -> Berth.REASON_SUSPENDED.equals(c.getReason()))
                .orElse(false);
    }

    /**
     * The configuration whose rollout failed. This process may have seen this configuration's rollout fail while the
     * status at hand does not say so: it is older than that failure's own status write (a look retried after that
     * write failed, or a status written by someone else since). The failure stands; trying again here would be a
     * second rollout of the same configuration (ApplicationDeploymentIT.aLookRetriedAfterTheFailuresStatusWriteFailed…).
     */
    private String failedHash(Application app, DesiredState desired, ApplicationStatus status) {
        history.lastFailure(app)
                .filter(f -> f.configHash().equals(desired.configHash())
                        && !f.configHash().equals(status.getFailedConfigHash()))
                .ifPresent(f -> status.setFailedConfigHash(f.configHash()));
        return status.getFailedConfigHash();
    }

    /** Of the containers found, those this process took out of DNS, and until when they drain. */
    private Map<String, Instant> drainingOf(List<ObservedContainer> observed) {
        Map<String, Instant> draining = new java.util.HashMap<>();
        observed.forEach(c -> {
            Instant until = drainingUntil.get(c.id());
            if (until != null) {
                draining.put(c.id(), until);
            }
        });
        return draining;
    }

    /**
     * The Application's containers on the host, inspected: health, start time, and whether each carries the
     * Application's alias on the network (serves).
     */
    private static List<ObservedContainer> observe(DockerHost docker, Application app, String network, String alias) {
        List<ObservedContainer> observed = new ArrayList<>();
        for (DockerHost.ContainerSummary s : docker.findContainers(DesiredContainers.selector(app))) {
            docker.inspectContainer(s.id()).ifPresent(state -> observed.add(ObservedContainer.of(state, network, alias)));
        }
        observed.sort(Comparator.comparing(c -> c.name() == null ? "" : c.name()));
        return observed;
    }

    /**
     * A start whose answer was lost (the connection dropped mid-call) may have happened all the same: the first look
     * that finds the container running records the start, so the history says what happened on the host.
     */
    private void confirmLostStarts(Application app, List<ObservedContainer> observed, String serverName) {
        for (String name : lostStarts.wentThrough(observed)) {
            activity(app, history.active(app).orElse(null), "container.start", "container " + name + " on Server "
                    + serverName + " (the start went through; Docker's answer had been lost)");
        }
    }

    /** What one look works from. */
    private record Look(Inputs in, ServerHost host, DesiredState desired, RolloutPlanner.Input input,
            ApplicationStatus status, Instant now, Optional<Instant> backoffUntil) {
        Application app() {
            return in.app();
        }

        String serverName() {
            return in.server().getMetadata().getName();
        }
    }

    /** What {@link #act} did: the containers it created (name → id) and those it started. */
    private record Acted(Map<String, String> created, List<String> started) {
    }

    private Outcome apply(Look look, RolloutPlan plan) {
        DeploymentHistory.Run run = beginOrResume(look, plan);
        Optional<String> cannotStart = prepareHost(look, plan, run);
        if (cannotStart.isPresent()) {
            boolean previousServes = look.input().observed().stream()
                    .anyMatch(c -> !look.desired().configHash().equals(c.configHash()));
            return failed(look, run, previousServes, cannotStart.get(), null, null);
        }
        String failingLogs = plan.phase() == Phase.FAILED && plan.failing() != null
                ? look.in().env().redact(look.host().lastLogLines(plan.failing().id())) : null;
        Acted acted = act(look, run, plan);
        RolloutPlan done = finishWhenHealthy(look, run, plan, acted);
        recordDrift(look.app(), done, look.now());
        recordServing(look, done, acted);
        return outcome(look, run, done, failingLogs);
    }

    /**
     * History: one deployment row per rollout, from its first look to the previous version gone; a rollout
     * superseded by a newer config ends first. Returns the deployment this look belongs to, or null.
     */
    private DeploymentHistory.Run beginOrResume(Look look, RolloutPlan plan) {
        Application app = look.app();
        DesiredState desired = look.desired();
        Phase phase = plan.phase();
        boolean rollout = phase == Phase.ROLLING_OUT || phase == Phase.SUCCEEDED || phase == Phase.FAILED;
        // After the switch, the rollout's tail (the previous version draining, stopping, going) is still its own.
        boolean tail = phase == Phase.RUNNING || phase == Phase.STARTING || phase == Phase.UNHEALTHY;
        Optional<DeploymentHistory.Run> active = history.active(app);
        boolean sameConfig = active.isPresent() && active.get().configHash().equals(desired.configHash());
        if (active.isPresent() && !(sameConfig && (rollout || tail))) {
            if (phase == Phase.SUSPENDED) {
                history.end(app, DeploymentStatus.FAILED, null, "abandoned: the Application was suspended");
            } else if (!active.get().configHash().equals(desired.configHash())) {
                history.end(app, DeploymentStatus.FAILED, null, "superseded by generation "
                        + app.getMetadata().getGeneration());
            } else {
                history.end(app, DeploymentStatus.FAILED, null, "ended without finishing (" + phase + ")");
            }
            active = Optional.empty();
        }
        DeploymentHistory.Run run = active.orElse(null);
        // The new containers already serve with nothing left to do, and this process saw their deployment finish:
        // this look works from a status older than that deployment's own status write (a retried or stale look),
        // so it is that deployment, not a new one.
        Optional<DeploymentHistory.Finished> recorded = rollout && run == null && phase == Phase.SUCCEEDED
                && plan.actions().stream().noneMatch(a -> a instanceof RolloutPlan.Create
                        || a instanceof RolloutPlan.Start || a instanceof RolloutPlan.Promote)
                ? history.lastFinished(app).filter(f -> f.configHash().equals(desired.configHash()))
                : Optional.empty();
        recorded.ifPresent(f -> look.status().setLastDeployment(f.id().toString()));
        if (rollout && run == null && recorded.isEmpty()) {
            run = history.begin(app, desired.configHash(), desired.image(),
                    reason(app, look.input().observed(), desired, look.status()));
            if (desired.strategy() == DesiredState.Strategy.STOP_FIRST) {
                history.line(run, desired.publishesHostPorts()
                        ? "host ports are published: the old containers drain and stop before the new ones start"
                        : "strategy Recreate: the old containers drain and stop before the new ones start");
            }
        }
        if (run != null) {
            // Every look of a rollout names it, not only the first: a look may work from a status older than the
            // first look's write (retried after that write failed, or written over by someone else).
            look.status().setLastDeployment(run.id().toString());
        }
        return run;
    }

    /**
     * What the plan's creates and starts need on the host: the image (pulled before anything is stopped, so a broken
     * image fails the rollout first), the network, the named volumes. Returns why the image cannot be had.
     */
    private Optional<String> prepareHost(Look look, RolloutPlan plan, DeploymentHistory.Run run) {
        boolean creates = plan.actions().stream().anyMatch(a -> a instanceof RolloutPlan.Create);
        boolean starts = creates || plan.actions().stream().anyMatch(a -> a instanceof RolloutPlan.Start);
        if (creates) {
            Optional<String> pullFailure = ensureImage(look.in(), look.host(), look.desired(), run);
            if (pullFailure.isPresent()) {
                return pullFailure;
            }
        }
        if (starts && look.desired().network() != null) {
            look.host().ensureNetwork(look.desired().network()); // a container cannot start without its network
        }
        if (creates) {
            for (DesiredState.VolumeToCreate v : look.desired().volumes()) {
                if (look.host().docker().ensureVolume(v.name(), Map.of(Berth.LABEL_MANAGED, "true", Berth.LABEL_APP,
                        look.app().getMetadata().getUid()))) {
                    activity(look.app(), run, "volume.create", "volume " + v.name() + " on Server " + look.serverName());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Nothing to wait for (no health check, no start period): seen running now is healthy, so this look finishes the
     * rollout (or the scale-up) rather than the next one, {@link RolloutPlanner#POLL} later.
     */
    private RolloutPlan finishWhenHealthy(Look look, DeploymentHistory.Run run, RolloutPlan plan, Acted acted) {
        if (!RolloutPlanner.healthyOnceRunning(look.desired(), plan)) {
            return plan;
        }
        DockerHost docker = look.host().docker();
        List<ObservedContainer> inspected = new ArrayList<>();
        for (String id : acted.started()) {
            docker.inspectContainer(id).map(s -> ObservedContainer.of(s, look.desired().network(),
                    look.desired().servingAlias())).ifPresent(inspected::add);
        }
        Optional<RolloutPlan> finished = RolloutPlanner.finishInSameLook(look.input(), plan, inspected,
                services.clock().instant());
        if (finished.isEmpty()) {
            return plan;
        }
        act(look, run, finished.get());
        return finished.get();
    }

    /** Status: the serving set and the image, once the desired configuration's containers are what serves. */
    private void recordServing(Look look, RolloutPlan plan, Acted acted) {
        if (!plan.servingNew()) {
            return;
        }
        ApplicationStatus status = look.status();
        DesiredState desired = look.desired();
        Set<String> removed = plan.actions().stream().filter(a -> a instanceof RolloutPlan.Remove)
                .map(a -> ((RolloutPlan.Remove) a).id()).collect(Collectors.toSet());
        Set<String> wanted = new HashSet<>(desired.containerNames());
        Map<String, String> serving = new java.util.TreeMap<>();
        look.input().observed().stream().filter(c -> desired.configHash().equals(c.configHash())
                        && wanted.contains(c.name()) && !removed.contains(c.id()))
                .forEach(c -> serving.put(c.name(), c.id()));
        serving.putAll(acted.created());
        status.setContainers(new ArrayList<>(serving.values()));
        if (!desired.image().equals(status.getCurrentImage()) || status.getImageDigest() == null) {
            status.setImageDigest(ServerHost.digest(desired.image(), look.host().image(desired.image())));
        }
        status.setCurrentImage(desired.image());
        status.setFailedConfigHash(null);
    }

    private Outcome outcome(Look look, DeploymentHistory.Run run, RolloutPlan plan, String failingLogs) {
        Application app = look.app();
        DesiredState desired = look.desired();
        ApplicationStatus status = look.status();
        Instant now = look.now();
        String serverName = look.serverName();
        Optional<Duration> recheck = plan.recheckAt().map(t -> until(now, t));
        int replicas = desired.containers().size();
        String running = replicas + "/" + replicas + " container(s) of " + desired.image() + " running on Server "
                + serverName + (plan.draining() > 0 ? "; " + plan.draining()
                        + " replaced container(s) draining before they stop" : "");
        // The deployment ends once the new version serves and nothing of the previous one is left draining.
        boolean rolloutTail = run != null && plan.servingNew()
                && (plan.phase() == Phase.SUCCEEDED || plan.phase() == Phase.RUNNING);
        if (rolloutTail && plan.draining() == 0) {
            history.end(app, DeploymentStatus.FINISHED, status.getImageDigest(), null);
            services.meters().counter("berth.application.rollouts", "result", "finished").increment();
        }
        return switch (plan.phase()) {
            case RUNNING, SUCCEEDED -> new Outcome(true, ApplicationReasons.RUNNING, running, "Running", false,
                    conditions(rolloutTail && plan.draining() > 0, null, null), recheck);
            case STARTING -> notReadyWith(ApplicationReasons.STARTING, plan.detail() + " on Server " + serverName,
                    "Starting", recheck.orElse(RolloutPlanner.POLL), false, conditions(false, null, null));
            case UNHEALTHY -> notReadyWith(ApplicationReasons.UNHEALTHY, plan.detail(), "Unhealthy",
                    recheck.orElse(null), true, conditions(false, ApplicationReasons.UNHEALTHY, plan.detail()));
            case DRIFT_BACKOFF -> {
                String what = plan.drift().stream().map(RolloutPlan.Drift::describe).collect(Collectors.joining("; "));
                String msg = what + " again, out of band; Berth puts it back no sooner than "
                        + look.backoffUntil().map(Instant::toString).orElse("soon") + " (backoff)";
                Duration wait = look.backoffUntil().map(t -> until(now, t)).orElse(RolloutPlanner.POLL);
                yield notReadyWith(ApplicationReasons.DRIFT_REPAIR_BACKOFF, msg, "Degraded",
                        recheck.filter(r -> r.compareTo(wait) < 0).orElse(wait), true,
                        conditions(false, ApplicationReasons.DRIFT_REPAIR_BACKOFF, msg));
            }
            case ROLLING_OUT -> {
                String how = desired.strategy() == DesiredState.Strategy.STOP_FIRST
                        ? (desired.publishesHostPorts() ? "stop-then-start, because host ports are published"
                                : "Recreate: stop-then-start")
                        : "rolling: the previous version serves until the new one is healthy";
                String msg = "deploying " + desired.image() + " (deployment " + status.getLastDeployment() + ", "
                        + how + "): " + plan.detail() + ", deadline " + Durations.format(desired.healthTimeout());
                yield notReadyWith(ApplicationReasons.DEPLOYING, msg, "Deploying",
                        recheck.orElse(RolloutPlanner.POLL), false, conditions(true, null, null));
            }
            case FAILED -> failed(look, run, plan.previousServes(), plan.failure(), plan.failing(),
                    failingLogs).withRecheckIfAny(recheck);
            case HELD -> held(app, status, plan, desired).withRecheckIfAny(recheck);
            case SUSPENDED -> notReadyWith(Berth.REASON_SUSPENDED, "spec.suspend is true: " + plan.detail(),
                    "Suspended", recheck.orElse(null), false, conditions(false, null, null));
        };
    }

    /**
     * Applies the plan's actions in order. Creates put the container on the network without the Application's alias
     * (it serves once promoted); a demoted container's drain deadline is remembered for the looks that follow.
     */
    private Acted act(Look look, DeploymentHistory.Run run, RolloutPlan plan) {
        Application app = look.app();
        DockerHost docker = look.host().docker();
        DesiredState desired = look.desired();
        String network = desired.network();
        String serverName = look.serverName();
        Instant deadline = look.now().plus(desired.healthTimeout());
        Map<String, String> created = new LinkedHashMap<>();
        List<String> started = new ArrayList<>();
        for (Action action : plan.actions()) {
            if (action instanceof RolloutPlan.Create c) {
                ContainerSpec spec = RolloutPlan.forRollout(c.template(), run == null ? null : run.id().toString(),
                        deadline).withNetwork(network, List.of());
                String id;
                try {
                    id = look.host().create(spec);
                } catch (DockerHostException e) {
                    if (e.kind() != DockerHostException.Kind.Conflict) {
                        throw e;
                    }
                    // Created by an earlier attempt that died before it was seen: it is found by name.
                    id = docker.inspectContainer(spec.name()).map(DockerHost.ContainerState::id).orElseThrow(() -> e);
                }
                activity(app, run, "container.create", "container " + spec.name() + " (" + spec.image()
                        + ") on Server " + serverName);
                start(look, run, id, spec.name());
                created.put(spec.name(), id);
                started.add(id);
            } else if (action instanceof RolloutPlan.Start s) {
                start(look, run, s.id(), s.name());
                started.add(s.id());
            } else if (action instanceof RolloutPlan.Promote p) {
                docker.setNetworkAliases(p.id(), network, desired.aliases());
                activity(app, run, "container.serve", "container " + p.name() + " on Server " + serverName
                        + " takes requests (alias " + desired.servingAlias() + ")");
            } else if (action instanceof RolloutPlan.Demote d) {
                boolean keptAddress = docker.setNetworkAliases(d.id(), network, List.of());
                drainingUntil.put(d.id(), look.now().plus(desired.drain()));
                activity(app, run, "container.drain", "container " + d.name() + " on Server " + serverName
                        + " takes no new requests; it stops in " + desired.drain().toSeconds() + "s"
                        + (keptAddress ? "" : " (network " + network + " has no fixed subnet: its connections in "
                                + "flight were cut; see docs/architecture.md)"));
            } else if (action instanceof RolloutPlan.Stop s) {
                docker.stopContainer(s.id(), STOP_GRACE);
                drainingUntil.remove(s.id());
                activity(app, run, "container.stop", "container " + s.name() + " on Server " + serverName);
            } else if (action instanceof RolloutPlan.Remove r) {
                docker.removeContainer(r.id(), true);
                drainingUntil.remove(r.id());
                activity(app, run, "container.remove", "container " + r.name() + " on Server " + serverName
                        + ": " + r.why());
            }
        }
        return new Acted(created, started);
    }

    /** Starts the container; a start whose answer was lost is remembered, so the next look can tell. */
    private void start(Look look, DeploymentHistory.Run run, String id, String name) {
        try {
            look.host().start(id, look.desired().network());
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.Unavailable || e.kind() == DockerHostException.Kind.Timeout) {
                // Docker may have started it and the answer been lost: the next look that sees it says which.
                lostStarts.remember(id, name);
                if (run != null) {
                    history.line(run, "container.start: container " + name + " on Server " + look.serverName()
                            + ": no answer from Docker (" + e.kind() + "); the next look tells whether it started");
                }
            }
            throw e;
        }
        activity(look.app(), run, "container.start", "container " + name + " on Server " + look.serverName());
    }

    /** Why this rollout happens, for the history row. */
    private static String reason(Application app, List<ObservedContainer> observed, DesiredState desired,
            ApplicationStatus status) {
        if (observed.stream().anyMatch(c -> desired.configHash().equals(c.configHash()))) {
            return "resumed after an operator restart";
        }
        if (status.getContainers() == null || status.getContainers().isEmpty()) {
            return "first deployment";
        }
        Long seen = status.getObservedGeneration();
        if (seen == null || !seen.equals(app.getMetadata().getGeneration())) {
            return "spec changed (generation " + app.getMetadata().getGeneration() + ")";
        }
        return "a referenced Secret or ConfigMap changed";
    }

    /** Makes sure the image is on the host ({@link ServerHost#ensureImage}); returns why it cannot be had. */
    private Optional<String> ensureImage(Inputs in, ServerHost host, DesiredState desired, DeploymentHistory.Run run) {
        Duration timeout = desired.healthTimeout().compareTo(MAX_PULL) < 0 ? MAX_PULL : desired.healthTimeout();
        String authSource = in.app().getSpec().getImagePullSecretRef() == null ? null
                : in.app().getSpec().getImagePullSecretRef().getName();
        return host.ensureImage(desired.image(), () -> registryAuth(in, desired.image()), authSource, timeout,
                in.env()::redact, new ServerHost.PullLog() {
                    @Override
                    public void line(String text) {
                        if (run != null) {
                            history.line(run, text);
                        }
                    }

                    @Override
                    public void pulled(String image) {
                        activity(in.app(), run, "image.pull", image + " on Server " + in.server().getMetadata().getName());
                    }
                });
    }

    private static DockerHost.RegistryAuth registryAuth(Inputs in, String image) {
        if (in.app().getSpec().getImagePullSecretRef() == null) {
            return null;
        }
        String name = in.app().getSpec().getImagePullSecretRef().getName();
        Map<String, String> data = in.secrets().apply(name)
                .orElseThrow(() -> new IllegalArgumentException("Secret " + name + " (spec.imagePullSecretRef) does not exist"));
        String json = data.get(RegistryCredentials.DOCKER_CONFIG_KEY);
        if (json == null) {
            throw new IllegalArgumentException("Secret " + name + " has no key " + RegistryCredentials.DOCKER_CONFIG_KEY
                    + " (type kubernetes.io/dockerconfigjson)");
        }
        return RegistryCredentials.forImage(json.getBytes(StandardCharsets.UTF_8), image).orElse(null);
    }

    /** A rollout that failed: before anything started (the image cannot be had), or its new containers did. */
    private Outcome failed(Look look, DeploymentHistory.Run run, boolean previousServes, String failure,
            ObservedContainer failing, String logs) {
        Inputs in = look.in();
        DesiredState desired = look.desired();
        ApplicationStatus status = look.status();
        status.setFailedConfigHash(desired.configHash());
        StringBuilder msg = new StringBuilder("rollout of " + desired.image() + " failed: " + failure);
        msg.append(previousServes ? "; the previous version keeps serving" : "; nothing is serving");
        msg.append(". Berth retries when the spec or a referenced Secret or ConfigMap changes");
        if (logs != null && !logs.isBlank()) {
            msg.append(". Last log lines of ").append(failing.name()).append(":\n").append(logs);
        }
        if (run != null && logs != null && !logs.isBlank()) {
            logs.lines().forEach(l -> history.line(run, "[" + failing.name() + "] " + l));
        }
        history.end(in.app(), previousServes ? DeploymentStatus.ROLLED_BACK : DeploymentStatus.FAILED, null, failure);
        services.meters().counter("berth.application.rollouts", "result", previousServes ? "rolled_back" : "failed")
                .increment();
        String message = msg.toString();
        history.failed(in.app(), desired.configHash(), message);
        return notReadyWith(ApplicationReasons.ROLLOUT_FAILED, message, "Failed", null, true,
                conditions(false, previousServes ? ApplicationReasons.ROLLOUT_FAILED : null, message));
    }

    /** The config failed before: the message of the failure stays (it explains), nothing is retried. */
    private Outcome held(Application app, ApplicationStatus status, RolloutPlan plan, DesiredState desired) {
        String message = status.condition(Berth.CONDITION_READY)
                .filter(c -> ApplicationReasons.ROLLOUT_FAILED.equals(c.getReason()))
                .map(Condition::getMessage)
                .or(() -> history.lastFailure(app).filter(f -> f.configHash().equals(desired.configHash()))
                        .map(DeploymentHistory.Failure::message))
                .orElse("rollout of " + desired.image() + " failed earlier (" + plan.detail()
                        + "). Berth retries when the spec or a referenced Secret or ConfigMap changes");
        boolean previousServes = plan.previousServes();
        return notReadyWith(ApplicationReasons.ROLLOUT_FAILED, message, "Failed", null, true,
                conditions(false, previousServes ? ApplicationReasons.ROLLOUT_FAILED : null, message));
    }

    private void recordDrift(Application app, RolloutPlan plan, Instant now) {
        if (plan.drift().isEmpty() || plan.phase() == Phase.DRIFT_BACKOFF) {
            return;
        }
        plan.drift().forEach(d -> services.meters().counter("berth.application.drift", "kind",
                d.kind().name().toLowerCase()).increment());
        driftBackoff.repaired(app.getMetadata().getUid(), now);
        String what = plan.drift().stream().map(RolloutPlan.Drift::describe).collect(Collectors.joining("; "));
        log.warn("Application {}/{}: {} out of band; put back", app.getMetadata().getNamespace(),
                app.getMetadata().getName(), what);
        services.events().record(app, EventRecorder.WARNING, ApplicationReasons.DRIFT_REPAIRED,
                what + " out of band; Berth put it back");
    }

    /** Drops what this process remembers about the (deleted) Application. */
    void forget(Application app) {
        history.forget(app);
    }

    /**
     * Takes the Application off its host the gentle way, one step per call: serving containers are taken out of DNS
     * and drain, then get their stop signal and grace period, and are removed; then the volumes marked
     * deleteOnRemove go. Returns when to call again while containers drain; empty when all is gone.
     */
    Optional<Duration> remove(Application app, Server server) throws ServerAccessException {
        DockerHost docker = services.serverAccess().dockerHost(server);
        String serverName = server.getMetadata().getName();
        List<String> aliases = DesiredContainers.aliases(app);
        Duration drain = DesiredContainers.drain(app.getSpec().getRollout());
        Instant now = services.clock().instant();
        List<ObservedContainer> observed = observe(docker, app, network(server), aliases.get(0));
        RolloutPlan plan = RolloutPlanner.retireAll(observed, drainingOf(observed), drain, now);
        for (Action action : plan.actions()) {
            if (action instanceof RolloutPlan.Demote d) {
                docker.setNetworkAliases(d.id(), network(server), List.of());
                drainingUntil.put(d.id(), now.plus(drain));
                activity(app, null, "container.drain", "container " + d.name() + " on Server " + serverName
                        + " takes no new requests: the Application was deleted; it stops in " + drain.toSeconds() + "s");
            } else if (action instanceof RolloutPlan.Stop s) {
                docker.stopContainer(s.id(), STOP_GRACE);
                drainingUntil.remove(s.id());
            } else if (action instanceof RolloutPlan.Remove r) {
                if (docker.removeContainer(r.id(), true)) {
                    activity(app, null, "container.remove", "container " + r.name() + " on Server " + serverName
                            + ": the Application was deleted");
                }
                drainingUntil.remove(r.id());
            }
        }
        if (plan.draining() > 0) {
            return Optional.of(plan.recheckAt().map(t -> until(now, t)).orElse(RolloutPlanner.POLL));
        }
        app.getSpec().getVolumes().stream().filter(v -> v.getName() != null && Boolean.TRUE.equals(v.getDeleteOnRemove()))
                .forEach(v -> {
                    try {
                        if (docker.removeVolume(v.getName())) {
                            activity(app, null, "volume.remove", "volume " + v.getName() + " on Server " + serverName
                                    + ": the Application was deleted (deleteOnRemove)");
                        }
                    } catch (DockerHostException e) {
                        if (e.kind() != DockerHostException.Kind.Conflict) {
                            throw e;
                        }
                        log.warn("Application {}/{}: volume {} is still in use by other containers; kept",
                                app.getMetadata().getNamespace(), app.getMetadata().getName(), v.getName());
                    }
                });
        history.end(app, DeploymentStatus.FAILED, null, "the Application was deleted");
        driftBackoff.forget(app.getMetadata().getUid());
        return Optional.empty();
    }

    private void activity(Application app, DeploymentHistory.Run run, String action, String detail) {
        services.mirror().recordActivity(app, action, detail);
        if (run != null) {
            history.line(run, action + ": " + detail);
        }
    }

    private static Duration until(Instant now, Instant t) {
        Duration d = Duration.between(now, t);
        return d.compareTo(Duration.ofMillis(200)) < 0 ? Duration.ofMillis(200) : d;
    }

    static List<Condition> conditions(boolean rolling, String degradedReason, String degradedMessage) {
        List<Condition> list = new ArrayList<>();
        list.add(new Condition(ApplicationReasons.CONDITION_ROLLING_UPDATE, rolling ? Condition.TRUE : Condition.FALSE,
                rolling ? ApplicationReasons.DEPLOYING : ApplicationReasons.NO_ROLLOUT,
                rolling ? "a rollout is in progress" : "no rollout in progress", null, null));
        list.add(new Condition(ApplicationReasons.CONDITION_DEGRADED,
                degradedReason != null ? Condition.TRUE : Condition.FALSE,
                degradedReason != null ? degradedReason : ApplicationReasons.AS_SPECIFIED,
                degradedReason != null ? degradedMessage : "runs as specified or is on its way there", null, null));
        return list;
    }

    static Outcome notReady(String reason, String message, String state, Duration recheck, boolean warning) {
        return notReadyWith(reason, message, state, recheck, warning, conditions(false, null, null));
    }

    static Outcome notReadyWith(String reason, String message, String state, Duration recheck, boolean warning,
            List<Condition> extra) {
        return new Outcome(false, reason, message, state, warning, extra, Optional.ofNullable(recheck));
    }
}
