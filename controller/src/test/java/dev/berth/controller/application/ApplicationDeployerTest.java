package dev.berth.controller.application;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.ApplicationStatus;
import dev.berth.api.v1alpha1.HealthCheck;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.controller.ReconcilerServices;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.mirror.Mirror;
import dev.berth.controller.status.EventRecorder;
import dev.berth.controller.status.Outcome;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The deployer's looks against an in-memory Docker engine that counts calls: how many Docker calls and looks an
 * Application takes to Ready, what the per-host facts save, and that they recover when the host changes behind
 * Berth's back.
 */
class ApplicationDeployerTest {
    private static final String IMAGE = "berth-test/httpd:1";
    private static final DockerHost.ImageInfo PRESENT = new DockerHost.ImageInfo("sha256:" + "a".repeat(64),
            List.of("berth-test/httpd@sha256:" + "1".repeat(64)));
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    final HostFactsTest.MovableClock clock = new HostFactsTest.MovableClock();
    final FakeDockerHost host = new FakeDockerHost("test/h1", clock);
    final List<String> activities = new ArrayList<>();
    final ApplicationDeployer deployer;
    final Server server = server();

    ApplicationDeployerTest() {
        deployer = deployer(host);
        host.images.put(IMAGE, PRESENT);
    }

    /** A deployer (with its own per-host facts) on {@code engine}, recording activity rows into {@link #activities}. */
    private ApplicationDeployer deployer(DockerHost engine) {
        Mirror mirror = new Mirror() {
            @Override
            public void upsert(HasMetadata resource) {
            }

            @Override
            public void markDeleted(HasMetadata resource) {
            }

            @Override
            public void resync(Class<? extends HasMetadata> kind, Collection<String> namespaces,
                    Collection<String> liveUids) {
            }

            @Override
            public void recordActivity(HasMetadata resource, String action, String detail) {
                activities.add(action);
            }

            @Override
            public boolean isBehind() {
                return false;
            }

            @Override
            public void close() {
            }
        };
        EventRecorder events = new EventRecorder(null, "test", clock) {
            @Override
            public void record(HasMetadata about, String type, String reason, String message) {
            }
        };
        ReconcilerServices services = new ReconcilerServices(mirror, events, clock, new SimpleMeterRegistry(), null,
                null, Optional.empty());
        return new ApplicationDeployer(services, new DeploymentHistory(mirror, Optional.empty(), clock), s -> engine);
    }

    private static Server server() {
        Server s = new Server();
        s.setMetadata(new ObjectMetaBuilder().withName("h1").withNamespace("test").build());
        ServerSpec spec = new ServerSpec();
        spec.setHost("10.0.0.1");
        spec.setPort(22);
        s.setSpec(spec);
        return s;
    }

    /** An Application with no health check; {@code startPeriod} as given. */
    private static Application app(String name, String startPeriod) {
        Application a = new Application();
        a.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("test").withUid(UUID.randomUUID().toString())
                .withGeneration(1L).build());
        ApplicationSpec spec = new ApplicationSpec();
        spec.setServerRef(new LocalRef("h1"));
        spec.setImage(IMAGE);
        ApplicationSpec.PortMapping port = new ApplicationSpec.PortMapping();
        port.setContainerPort(8080);
        spec.setPorts(List.of(port));
        HealthCheck check = new HealthCheck();
        check.setType(HealthCheck.Type.none);
        check.setStartPeriod(startPeriod);
        spec.setHealthCheck(check);
        a.setSpec(spec);
        return a;
    }

    private Outcome look(Application app, ApplicationStatus status) {
        EnvResolution env = EnvResolution.resolve(app.getSpec(), n -> Optional.empty(), n -> Optional.empty());
        return deployer.converge(new ApplicationDeployer.Inputs(app, server, env, n -> Optional.empty()), status);
    }

    @Test
    void aColdStartOfManyApplicationsTakesOneLookAndFourDockerCallsEach() {
        int n = 20;
        List<Application> apps = new ArrayList<>();
        List<ApplicationStatus> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Application app = app("app-" + i, "0s");
            ApplicationStatus status = new ApplicationStatus();
            Outcome outcome = look(app, status);
            assertThat(outcome.ready()).as("Ready in the look that started it").isTrue();
            assertThat(outcome.state()).isEqualTo("Running");
            assertThat(outcome.recheckAfter()).as("no 2 s reschedule").isEmpty();
            assertThat(status.getContainers()).hasSize(1);
            assertThat(status.getImageDigest()).isEqualTo("sha256:" + "1".repeat(64));
            assertThat(status.getCurrentImage()).isEqualTo(IMAGE);
            apps.add(app);
            statuses.add(status);
        }
        // Per Application: list, create, start, inspect; per host: one image inspect, one network list (+ create).
        assertThat(host.calls()).containsEntry("findContainers", n).containsEntry("createContainer", n)
                .containsEntry("startContainer", n).containsEntry("inspectContainer", n)
                .containsEntry("inspectImage", 1).containsEntry("listNetworks", 1).containsEntry("createNetwork", 1);
        assertThat(host.total()).isEqualTo(4 * n + 3);
        assertThat(activities).filteredOn("container.create"::equals).hasSize(n);

        // The next look (the periodic re-check) with nothing changed: reads only, and the same status.
        int writes = host.writes();
        int calls = host.total();
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < n; i++) {
            ApplicationStatus before = JSON.clone(statuses.get(i));
            Outcome outcome = look(apps.get(i), statuses.get(i));
            assertThat(outcome.ready()).isTrue();
            assertThat(outcome.recheckAfter()).isEmpty();
            assertThat(statuses.get(i)).isEqualTo(before);
        }
        assertThat(host.writes()).isEqualTo(writes);
        assertThat(host.total() - calls).as("list + inspect each").isEqualTo(2 * n);
    }

    @Test
    void withAStartPeriodTheNextLookDecidesAsBefore() {
        Application app = app("slow", "5s");
        ApplicationStatus status = new ApplicationStatus();
        Outcome first = look(app, status);
        assertThat(first.ready()).isFalse();
        assertThat(first.state()).isEqualTo("Deploying");
        assertThat(first.recheckAfter()).contains(RolloutPlanner.POLL);
        assertThat(host.calls("inspectContainer")).as("no inspect after the start: it could not be healthy yet")
                .isZero();

        clock.advance(Duration.ofSeconds(5));
        Outcome second = look(app, status);
        assertThat(second.ready()).isTrue();
        assertThat(status.getImageDigest()).isEqualTo("sha256:" + "1".repeat(64));
    }

    @Test
    void aRollingUpdateWithNothingToWaitForReplacesTheOldContainerInOneLook() {
        Application app = app("web", "0s");
        ApplicationStatus status = new ApplicationStatus();
        assertThat(look(app, status).ready()).isTrue();
        String old = status.getContainers().get(0);

        app.getSpec().setArgs(List.of("v2"));
        app.getMetadata().setGeneration(2L);
        Outcome outcome = look(app, status);
        assertThat(outcome.ready()).isTrue();
        assertThat(outcome.recheckAfter()).isEmpty();
        assertThat(status.getContainers()).hasSize(1).doesNotContain(old);
        assertThat(host.containers).containsOnlyKeys(status.getContainers().get(0));
        assertThat(host.calls("disconnectFromNetwork")).as("drained before removal").isEqualTo(1);
        assertThat(activities).containsSubsequence("container.create", "container.start", "container.remove");
    }

    @Test
    void aNewContainerThatDoesNotRunIsJudgedByTheNextLookAsBefore() {
        Application app = app("crash", "0s");
        ApplicationStatus status = new ApplicationStatus();
        FakeDockerHost.Box[] made = new FakeDockerHost.Box[1];
        // Exits the moment it starts: seen exited by the inspect after the start.
        Outcome first = lookWhile(app, status, () -> host.containers.values().forEach(b -> {
            b.state = "exited";
            made[0] = b;
        }));
        assertThat(first.ready()).isFalse();
        assertThat(first.state()).isEqualTo("Deploying");
        assertThat(first.recheckAfter()).contains(RolloutPlanner.POLL);
        assertThat(made[0]).isNotNull();

        Outcome second = look(app, status);
        assertThat(second.state()).isEqualTo("Failed");
        assertThat(host.containers).isEmpty();
    }

    /** A look (by a fresh deployer) during which {@code meanwhile} runs right after each start. */
    private Outcome lookWhile(Application app, ApplicationStatus status, Runnable meanwhile) {
        ApplicationDeployer once = deployer(new ForwardingHost(host) {
            @Override
            public void startContainer(String idOrName) {
                super.startContainer(idOrName);
                meanwhile.run();
            }
        });
        EnvResolution env = EnvResolution.resolve(app.getSpec(), n -> Optional.empty(), n -> Optional.empty());
        return once.converge(new ApplicationDeployer.Inputs(app, server, env, n -> Optional.empty()), status);
    }

    @Test
    void aNetworkDeletedOutOfBandIsRecreatedByTheStartThatNeedsItOrTheFirstLookAfterTheTtl() {
        assertThat(look(app("a", "0s"), new ApplicationStatus()).ready()).isTrue();
        assertThat(host.calls("createNetwork")).isEqualTo(1);

        // Within the TTL: the start says NotFound, the network is made again, the start is tried once more.
        host.networks.clear();
        assertThat(look(app("b", "0s"), new ApplicationStatus()).ready()).isTrue();
        assertThat(host.networks).containsExactly("berth");
        assertThat(host.calls("createNetwork")).isEqualTo(2);
        assertThat(host.calls("startContainer")).isEqualTo(3);

        // After the TTL: the look makes sure of it before starting anything.
        host.networks.clear();
        clock.advance(HostFacts.TTL);
        assertThat(look(app("c", "0s"), new ApplicationStatus()).ready()).isTrue();
        assertThat(host.calls("createNetwork")).isEqualTo(3);
        assertThat(host.calls("startContainer")).as("no failed start this time").isEqualTo(4);
    }

    @Test
    void anImageRemovedOutOfBandIsAskedForAfreshAndAMissingOneIsPulledWithItsDigest() {
        assertThat(look(app("a", "0s"), new ApplicationStatus()).ready()).isTrue();
        host.images.clear();
        DockerHost.ImageInfo pulled = new DockerHost.ImageInfo("sha256:" + "b".repeat(64),
                List.of("berth-test/httpd@sha256:" + "2".repeat(64)));
        host.registry.put(IMAGE, pulled);

        // Within the TTL the cache still says "there": the create's NotFound makes the deployer ask again; the
        // image is missing, so the look fails and forgets; the next look pulls it.
        ApplicationStatus status = new ApplicationStatus();
        Application b = app("b", "0s");
        Outcome failed = look(b, status);
        assertThat(failed.ready()).isFalse();
        assertThat(host.calls("pullImage")).isZero();
        Outcome next = look(b, status);
        assertThat(next.ready()).isTrue();
        assertThat(host.calls("pullImage")).isEqualTo(1);
        assertThat(status.getImageDigest()).as("the pulled image's digest, not the remembered one")
                .isEqualTo("sha256:" + "2".repeat(64));
    }

    /** Passes every call on to another engine; override what a test changes. */
    static class ForwardingHost implements DockerHost {
        private final DockerHost to;

        ForwardingHost(DockerHost to) {
            this.to = to;
        }

        @Override
        public String id() {
            return to.id();
        }

        @Override
        public void ping() {
            to.ping();
        }

        @Override
        public DockerVersion version() {
            return to.version();
        }

        @Override
        public DockerInfo info() {
            return to.info();
        }

        @Override
        public boolean ensureNetwork(String name, Map<String, String> labels) {
            return to.ensureNetwork(name, labels);
        }

        @Override
        public boolean networkExists(String name) {
            return to.networkExists(name);
        }

        @Override
        public boolean removeNetwork(String name) {
            return to.removeNetwork(name);
        }

        @Override
        public boolean disconnectFromNetwork(String idOrName, String network) {
            return to.disconnectFromNetwork(idOrName, network);
        }

        @Override
        public List<ContainerSummary> findContainers(Map<String, String> labels) {
            return to.findContainers(labels);
        }

        @Override
        public String createContainer(dev.berth.controller.docker.ContainerSpec spec) {
            return to.createContainer(spec);
        }

        @Override
        public void startContainer(String idOrName) {
            to.startContainer(idOrName);
        }

        @Override
        public void stopContainer(String idOrName, Duration grace) {
            to.stopContainer(idOrName, grace);
        }

        @Override
        public boolean removeContainer(String idOrName, boolean force) {
            return to.removeContainer(idOrName, force);
        }

        @Override
        public Optional<ContainerState> inspectContainer(String idOrName) {
            return to.inspectContainer(idOrName);
        }

        @Override
        public long exec(String c, List<String> command, java.io.OutputStream out, java.io.OutputStream err,
                Duration timeout) {
            return to.exec(c, command, out, err, timeout);
        }

        @Override
        public void logs(String c, int tail, boolean follow, java.io.OutputStream out, java.io.OutputStream err,
                Duration timeout) {
            to.logs(c, tail, follow, out, err, timeout);
        }

        @Override
        public boolean imageExists(String image) {
            return to.imageExists(image);
        }

        @Override
        public Optional<ImageInfo> inspectImage(String image) {
            return to.inspectImage(image);
        }

        @Override
        public void pullImage(String image, RegistryAuth auth, PullProgress progress, Duration timeout) {
            to.pullImage(image, auth, progress, timeout);
        }

        @Override
        public boolean ensureVolume(String name, Map<String, String> labels) {
            return to.ensureVolume(name, labels);
        }

        @Override
        public boolean volumeExists(String name) {
            return to.volumeExists(name);
        }

        @Override
        public boolean removeVolume(String name) {
            return to.removeVolume(name);
        }

        @Override
        public void close() {
        }
    }
}
