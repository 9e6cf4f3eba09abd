package dev.berth.controller.application;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationStatus;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.Server;
import dev.berth.controller.Durations;
import dev.berth.controller.ReconcilerServices;
import dev.berth.controller.application.RolloutPlan.Action;
import dev.berth.controller.application.RolloutPlan.Phase;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import dev.berth.controller.mirror.DeploymentStatus;
import dev.berth.controller.server.ServerAccess;
import dev.berth.controller.server.ServerAccessException;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import java.io.ByteArrayOutputStream;
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
    static final Duration LOGS_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_PULL = Duration.ofMinutes(10);
    static final Duration HOST_RETRY = Duration.ofSeconds(15);
    static final int LOG_TAIL = 20;
    static final int LOG_CHARS = 2_000;

    private final ReconcilerServices services;
    private final DeploymentHistory history;
    private final HostFacts facts;
    private final DriftBackoff driftBackoff = new DriftBackoff();

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
        String network = server.getSpec().getNetwork() == null ? "berth" : server.getSpec().getNetwork();
        DesiredState desired = DesiredContainers.compute(app, in.env().env(), network);
        Instant now = services.clock().instant();
        boolean suspended = Boolean.TRUE.equals(app.getSpec().getSuspend());
        DockerHost docker;
        try {
            docker = services.serverAccess().dockerHost(server);
        } catch (ServerAccessException e) {
            return notReady(ApplicationReasons.SERVER_UNAVAILABLE, "Server " + server.getMetadata().getName()
                    + " cannot be used (" + e.reason() + "): " + e.getMessage(), "Waiting", HOST_RETRY, false);
        }
        String host = HostFacts.hostKey(docker.id(), server.getSpec().getHost(), server.getSpec().getPort(),
                server.getSpec().getDocker() == null ? null : server.getSpec().getDocker().getSocketPath());
        try {
            List<ObservedContainer> observed = observe(docker, app, desired.configHash());
            String uid = app.getMetadata().getUid();
            Optional<Instant> backoffUntil = driftBackoff.notBefore(uid, now);
            // This process saw this configuration's rollout fail, but the status at hand does not say so: it is older
            // than that failure's own status write (JOSDK does not cache the status it patched). The failure stands;
            // trying again here would be a second rollout of the same broken configuration.
            history.lastFailure(app)
                    .filter(f -> f.configHash().equals(desired.configHash())
                            && !f.configHash().equals(status.getFailedConfigHash()))
                    .ifPresent(f -> status.setFailedConfigHash(f.configHash()));
            RolloutPlanner.Input input = new RolloutPlanner.Input(desired, observed,
                    new HashSet<>(status.getContainers() == null ? List.of() : status.getContainers()),
                    status.getFailedConfigHash(), suspended, "Suspended".equals(status.getState()),
                    backoffUntil.isEmpty(), now);
            RolloutPlan plan = RolloutPlanner.plan(input);
            return apply(in, new Host(docker, host), desired, input, plan, status, now, backoffUntil);
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.NotFound) {
                facts.forget(host, desired.image(), network); // gone behind Berth's back: ask Docker next time
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

    /** The Application's containers on the host; those of the desired config are inspected (health, start time). */
    private static List<ObservedContainer> observe(DockerHost docker, Application app, String hash) {
        List<ObservedContainer> observed = new ArrayList<>();
        for (DockerHost.ContainerSummary s : docker.findContainers(DesiredContainers.selector(app))) {
            if (hash.equals(s.labels().get(Berth.LABEL_CONFIG_HASH))) {
                Optional<DockerHost.ContainerState> state = docker.inspectContainer(s.id());
                if (state.isEmpty()) {
                    continue; // removed meanwhile
                }
                observed.add(ObservedContainer.of(state.get()));
            } else {
                observed.add(ObservedContainer.of(s));
            }
        }
        observed.sort(Comparator.comparing(c -> c.name() == null ? "" : c.name()));
        return observed;
    }

    /** The engine of this look and its key in {@link HostFacts}. */
    private record Host(DockerHost docker, String key) {
    }

    private Outcome apply(Inputs in, Host host, DesiredState desired, RolloutPlanner.Input input,
            RolloutPlan plan, ApplicationStatus status, Instant now, Optional<Instant> backoffUntil) {
        Application app = in.app();
        DockerHost docker = host.docker();
        List<ObservedContainer> observed = input.observed();
        String serverName = in.server().getMetadata().getName();
        Phase phase = plan.phase();
        boolean rollout = phase == Phase.ROLLING_OUT || phase == Phase.SUCCEEDED || phase == Phase.FAILED;

        // History: one deployment row per rollout; a rollout superseded by a newer config ends first.
        Optional<DeploymentHistory.Run> active = history.active(app);
        if (active.isPresent() && (!rollout || !active.get().configHash().equals(desired.configHash()))) {
            if (!rollout && phase == Phase.SUSPENDED) {
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
                && plan.actions().stream().noneMatch(a -> a instanceof RolloutPlan.Create || a instanceof RolloutPlan.Start)
                ? history.lastFinished(app).filter(f -> f.configHash().equals(desired.configHash()))
                : Optional.empty();
        recorded.ifPresent(f -> status.setLastDeployment(f.id().toString()));
        if (rollout && run == null && recorded.isEmpty()) {
            run = history.begin(app, desired.configHash(), desired.image(), reason(app, observed, desired, status));
            if (desired.strategy() == DesiredState.Strategy.STOP_FIRST) {
                history.line(run, desired.publishesHostPorts()
                        ? "host ports are published: the old containers stop before the new ones start"
                        : "strategy Recreate: the old containers stop before the new ones start");
            }
        }

        if (run != null) {
            // Every look of a rollout names it, not only the first: a look may work from a status older than the
            // first look's write (JOSDK does not cache the status it patched; the informer catches up later).
            status.setLastDeployment(run.id().toString());
        }

        // Pull before creating, so a broken image fails the rollout before anything is stopped.
        boolean creates = plan.actions().stream().anyMatch(a -> a instanceof RolloutPlan.Create);
        boolean starts = creates || plan.actions().stream().anyMatch(a -> a instanceof RolloutPlan.Start);
        String network = desired.containers().isEmpty() ? null : desired.containers().get(0).network();
        if (creates) {
            Optional<String> pullFailure = ensureImage(in, host, desired, run);
            if (pullFailure.isPresent()) {
                return failBeforeStart(in, desired, status, run, observed, pullFailure.get());
            }
        }
        if (starts && network != null) {
            ensureNetwork(host, network); // a container cannot start without its network
        }
        if (creates) {
            for (DesiredState.VolumeToCreate v : desired.volumes()) {
                if (docker.ensureVolume(v.name(), Map.of(Berth.LABEL_MANAGED, "true", Berth.LABEL_APP,
                        app.getMetadata().getUid()))) {
                    activity(app, run, "volume.create", "volume " + v.name() + " on Server " + serverName);
                }
            }
        }

        String failingLogs = null;
        if (phase == Phase.FAILED && plan.failing() != null) {
            failingLogs = in.env().redact(lastLogLines(docker, plan.failing().id()));
        }

        Map<String, String> created = new LinkedHashMap<>();
        Instant deadline = now.plus(desired.healthTimeout());
        List<String> started = act(app, run, host, desired, plan, observed, deadline, serverName, created);

        // Nothing to wait for (no health check, no start period): seen running now is healthy, so this look
        // finishes the rollout rather than the next one, POLL later.
        if (RolloutPlanner.healthyOnceRunning(desired, plan)) {
            List<ObservedContainer> inspected = new ArrayList<>();
            for (String id : started) {
                docker.inspectContainer(id).map(ObservedContainer::of).ifPresent(inspected::add);
            }
            Optional<RolloutPlan> finished = RolloutPlanner.finishInSameLook(input, plan, inspected,
                    services.clock().instant());
            if (finished.isPresent()) {
                observed = RolloutPlanner.afterActions(observed, plan.actions(), inspected);
                plan = finished.get();
                phase = plan.phase();
                act(app, run, host, desired, plan, observed, deadline, serverName, created);
            }
        }

        recordDrift(app, plan, now);

        // Status: the serving set, the image, and the outcome of this look.
        if (plan.servingNew()) {
            Set<String> removed = plan.actions().stream().filter(a -> a instanceof RolloutPlan.Remove)
                    .map(a -> ((RolloutPlan.Remove) a).id()).collect(Collectors.toSet());
            Map<String, String> serving = new java.util.TreeMap<>();
            observed.stream().filter(c -> desired.configHash().equals(c.configHash()) && !removed.contains(c.id()))
                    .forEach(c -> serving.put(c.name(), c.id()));
            serving.putAll(created);
            status.setContainers(new ArrayList<>(serving.values()));
            if (!desired.image().equals(status.getCurrentImage()) || status.getImageDigest() == null) {
                status.setImageDigest(digest(desired.image(), image(host, desired.image())));
            }
            status.setCurrentImage(desired.image());
            status.setFailedConfigHash(null);
        }

        String healthTimeout = Durations.format(desired.healthTimeout());
        int replicas = desired.containers().size();
        return switch (phase) {
            case RUNNING -> new Outcome(true, ApplicationReasons.RUNNING, replicas + "/" + replicas
                    + " container(s) of " + desired.image() + " running on Server " + serverName, "Running", false,
                    conditions(false, null, null), Optional.empty());
            case SUCCEEDED -> {
                if (recorded.isEmpty()) {
                    history.end(app, DeploymentStatus.FINISHED, status.getImageDigest(), null);
                    services.meters().counter("berth.application.rollouts", "result", "finished").increment();
                }
                yield new Outcome(true, ApplicationReasons.RUNNING, replicas + "/" + replicas + " container(s) of "
                        + desired.image() + " running on Server " + serverName, "Running", false,
                        conditions(false, null, null), Optional.empty());
            }
            case STARTING -> notReadyWith(ApplicationReasons.STARTING, plan.detail() + " on Server " + serverName,
                    "Starting", plan.recheckAt().map(t -> until(now, t)).orElse(RolloutPlanner.POLL), false,
                    conditions(false, null, null));
            case UNHEALTHY -> notReadyWith(ApplicationReasons.UNHEALTHY, plan.detail(), "Unhealthy", null, true,
                    conditions(false, ApplicationReasons.UNHEALTHY, plan.detail()));
            case DRIFT_BACKOFF -> {
                String what = plan.drift().stream().map(RolloutPlan.Drift::describe).collect(Collectors.joining("; "));
                String msg = what + " again, out of band; Berth puts it back no sooner than "
                        + backoffUntil.map(Instant::toString).orElse("soon") + " (backoff)";
                yield notReadyWith(ApplicationReasons.DRIFT_REPAIR_BACKOFF, msg, "Degraded",
                        backoffUntil.map(t -> until(now, t)).orElse(RolloutPlanner.POLL), true,
                        conditions(false, ApplicationReasons.DRIFT_REPAIR_BACKOFF, msg));
            }
            case ROLLING_OUT -> {
                String how = desired.strategy() == DesiredState.Strategy.STOP_FIRST
                        ? (desired.publishesHostPorts() ? "stop-then-start, because host ports are published"
                                : "Recreate: stop-then-start")
                        : "rolling: the previous version serves until the new one is healthy";
                String msg = "deploying " + desired.image() + " (deployment " + status.getLastDeployment() + ", "
                        + how + "): " + plan.detail() + ", deadline " + healthTimeout;
                yield notReadyWith(ApplicationReasons.DEPLOYING, msg, "Deploying",
                        plan.recheckAt().map(t -> until(now, t)).orElse(RolloutPlanner.POLL), false,
                        conditions(true, null, null));
            }
            case FAILED -> failed(in, desired, status, run, !observed.stream()
                    .allMatch(c -> desired.configHash().equals(c.configHash())), plan.failure(), plan.failing(),
                    failingLogs);
            case HELD -> held(app, status, plan, desired);
            case SUSPENDED -> notReadyWith(Berth.REASON_SUSPENDED, "spec.suspend is true: " + plan.detail(),
                    "Suspended", null, false, conditions(false, null, null));
        };
    }

    /**
     * Applies the plan's actions in order; fills {@code created} (name → id) and returns the ids of the containers
     * it started (created ones included). {@code deadline}: the health deadline labelled on created containers.
     */
    private List<String> act(Application app, DeploymentHistory.Run run, Host host, DesiredState desired,
            RolloutPlan plan, List<ObservedContainer> observed, Instant deadline, String serverName,
            Map<String, String> created) {
        DockerHost docker = host.docker();
        String network = desired.containers().isEmpty() ? null : desired.containers().get(0).network();
        Set<String> running = observed.stream().filter(ObservedContainer::running).map(ObservedContainer::id)
                .collect(Collectors.toSet());
        List<String> started = new ArrayList<>();
        for (Action action : plan.actions()) {
            if (action instanceof RolloutPlan.Create c) {
                ContainerSpec spec = RolloutPlan.forRollout(c.template(), run == null ? null : run.id().toString(), deadline);
                String id;
                try {
                    id = create(host, spec);
                } catch (DockerHostException e) {
                    if (e.kind() != DockerHostException.Kind.Conflict) {
                        throw e;
                    }
                    // Created by an earlier attempt that died before it was seen: it is found by name.
                    id = docker.inspectContainer(spec.name()).map(DockerHost.ContainerState::id).orElseThrow(() -> e);
                }
                activity(app, run, "container.create", "container " + spec.name() + " (" + spec.image()
                        + ") on Server " + serverName);
                start(host, id, network);
                activity(app, run, "container.start", "container " + spec.name() + " on Server " + serverName);
                created.put(spec.name(), id);
                started.add(id);
            } else if (action instanceof RolloutPlan.Start s) {
                start(host, s.id(), network);
                activity(app, run, "container.start", "container " + s.name() + " on Server " + serverName);
                started.add(s.id());
            } else if (action instanceof RolloutPlan.Stop s) {
                docker.stopContainer(s.id(), STOP_GRACE);
                activity(app, run, "container.stop", "container " + s.name() + " on Server " + serverName);
            } else if (action instanceof RolloutPlan.Remove r) {
                if (running.contains(r.id())) {
                    drain(docker, r.id(), network);
                }
                docker.removeContainer(r.id(), true);
                activity(app, run, "container.remove", "container " + r.name() + " on Server " + serverName
                        + ": " + r.why());
            }
        }
        return started;
    }

    /**
     * Creates the container. Docker's NotFound means the image went since {@link HostFacts} last saw it: when it
     * is there after all (asked afresh), the create is tried once more; otherwise the failure stands (the next look
     * pulls it).
     */
    private String create(Host host, ContainerSpec spec) {
        try {
            return host.docker().createContainer(spec);
        } catch (DockerHostException e) {
            if (e.kind() != DockerHostException.Kind.NotFound) {
                throw e;
            }
            facts.forgetImage(host.key(), spec.image());
            if (image(host, spec.image()).isEmpty()) {
                throw e;
            }
            return host.docker().createContainer(spec);
        }
    }

    /**
     * Starts the container. Docker checks the network at start: NotFound may mean it was deleted since
     * {@link HostFacts} last saw it, so it is made sure of afresh and the start tried once more.
     */
    private void start(Host host, String id, String network) {
        try {
            host.docker().startContainer(id);
        } catch (DockerHostException e) {
            if (e.kind() != DockerHostException.Kind.NotFound || network == null) {
                throw e;
            }
            facts.forgetNetwork(host.key(), network);
            ensureNetwork(host, network);
            host.docker().startContainer(id);
        }
    }

    private void ensureNetwork(Host host, String network) {
        facts.network(host.key(), network, () -> host.docker().ensureNetwork(network,
                Map.of(Berth.LABEL_MANAGED, "true")));
    }

    /** The image on the host (cached for a few seconds when present). */
    private Optional<DockerHost.ImageInfo> image(Host host, String image) {
        return facts.image(host.key(), image, () -> host.docker().inspectImage(image));
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

    /**
     * Makes sure the image is on the host: pulled when missing (with the pull Secret's credentials), and re-pulled
     * for {@code :latest} or untagged references (a failed re-pull of an image that is there is only noted).
     * Returns why it cannot be had, or empty.
     */
    private Optional<String> ensureImage(Inputs in, Host host, DesiredState desired, DeploymentHistory.Run run) {
        DockerHost docker = host.docker();
        String image = desired.image();
        boolean present = image(host, image).isPresent();
        boolean floating = image.endsWith(":latest") || (!image.contains("@") && !image.substring(image.lastIndexOf('/') + 1).contains(":"));
        if (present && !floating) {
            return Optional.empty();
        }
        DockerHost.RegistryAuth auth;
        try {
            auth = registryAuth(in, image);
        } catch (IllegalArgumentException e) {
            return Optional.of("the image pull Secret cannot be used: " + e.getMessage());
        }
        if (run != null) {
            history.line(run, "pulling " + image + (auth == null ? "" : " (with the credentials of "
                    + in.app().getSpec().getImagePullSecretRef().getName() + ")"));
        }
        Duration timeout = desired.healthTimeout().compareTo(MAX_PULL) < 0 ? MAX_PULL : desired.healthTimeout();
        try {
            docker.pullImage(image, auth, (layer, what, progress) -> {
                if (run != null && what != null && !what.startsWith("Downloading") && !what.startsWith("Extracting")
                        && !what.startsWith("Waiting")) {
                    history.line(run, (layer == null ? "" : layer + ": ") + what);
                }
            }, timeout);
            facts.forgetImage(host.key(), image); // a new digest, maybe
            activity(in.app(), run, "image.pull", image + " on Server " + in.server().getMetadata().getName());
            return Optional.empty();
        } catch (DockerHostException e) {
            facts.forgetImage(host.key(), image); // a failed pull may have left part of it, or changed the tag
            if (e.kind() == DockerHostException.Kind.Unavailable) {
                throw e;
            }
            String why = in.env().redact(e.getMessage());
            if (present) {
                if (run != null) {
                    history.line(run, "re-pull failed, using the image on the host: " + why);
                }
                return Optional.empty();
            }
            return Optional.of("image " + image + " could not be pulled: " + why);
        }
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

    /** A rollout that cannot start (the image cannot be had): nothing was created or stopped. */
    private Outcome failBeforeStart(Inputs in, DesiredState desired, ApplicationStatus status,
            DeploymentHistory.Run run, List<ObservedContainer> observed, String why) {
        boolean previousServes = observed.stream().anyMatch(c -> !desired.configHash().equals(c.configHash()));
        return failed(in, desired, status, run, previousServes, why, null, null);
    }

    private Outcome failed(Inputs in, DesiredState desired, ApplicationStatus status, DeploymentHistory.Run run,
            boolean previousServes, String failure, ObservedContainer failing, String logs) {
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
        boolean previousServes = !"nothing serving".equals(plan.detail());
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

    /** Removes every container of the Application (and the volumes marked deleteOnRemove). */
    void remove(Application app, Server server) throws ServerAccessException {
        DockerHost docker = services.serverAccess().dockerHost(server);
        String serverName = server.getMetadata().getName();
        for (DockerHost.ContainerSummary c : docker.findContainers(DesiredContainers.selector(app))) {
            if (docker.removeContainer(c.id(), true)) {
                activity(app, null, "container.remove", "container " + c.name() + " on Server " + serverName
                        + ": the Application was deleted");
            }
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
    }

    /**
     * Takes a running container off the Berth network before it is removed: its DNS alias goes at once, while the
     * process still answers, so clients are not sent to a container being torn down (killing first leaves the alias
     * pointing at a dead process until Docker has cleaned up). Best effort: removal follows either way.
     */
    private static void drain(DockerHost docker, String id, String network) {
        if (network == null) {
            return;
        }
        try {
            docker.disconnectFromNetwork(id, network);
        } catch (DockerHostException e) {
            if (e.kind() == DockerHostException.Kind.Unavailable) {
                throw e;
            }
        }
    }

    private void activity(Application app, DeploymentHistory.Run run, String action, String detail) {
        services.mirror().recordActivity(app, action, detail);
        if (run != null) {
            history.line(run, action + ": " + detail);
        }
    }

    private static String lastLogLines(DockerHost docker, String containerId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            docker.logs(containerId, LOG_TAIL, false, out, out, LOGS_TIMEOUT);
        } catch (DockerHostException e) {
            return "(logs unavailable: " + e.kind() + ")";
        }
        String text = out.toString(StandardCharsets.UTF_8).strip();
        return text.length() <= LOG_CHARS ? text : "..." + text.substring(text.length() - LOG_CHARS);
    }

    /** The digest the image was pulled by (repo@sha256:...), else the local image id; null without the image. */
    static String digest(String image, Optional<DockerHost.ImageInfo> info) {
        return info.map(i -> {
            String repo = image.contains("@") ? image.substring(0, image.indexOf('@'))
                    : image.lastIndexOf(':') > image.lastIndexOf('/') ? image.substring(0, image.lastIndexOf(':')) : image;
            return i.repoDigests().stream().filter(d -> d.startsWith(repo + "@")).findFirst()
                    .map(d -> d.substring(d.indexOf('@') + 1)).orElse(i.id());
        }).orElse(null);
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
