package dev.berth.controller.local;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRuleBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;

/**
 * LOCAL-ONLY: fabric8's in-process mock API server in CRUD mode, with Berth's CRDs registered, standing in for a
 * cluster on a machine that has none (BERTH_LOCAL_MODE=true) and in the integration tests. It keeps everything in
 * memory, does not enforce CRD schemas or CEL rules, serves no discovery and speaks no protobuf (kubectl cannot
 * use it). It also answers the SelfSubjectRulesReview JOSDK's leader election posts first, granting Lease access.
 */
public final class LocalApiServer implements AutoCloseable {
    /** The mock logs every request at INFO through java.util.logging; a strong reference keeps the level set. */
    private static final java.util.logging.Logger MOCK_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");
    private static final List<Class<? extends HasMetadata>> KINDS =
            List.of(Server.class, Application.class, StandaloneDatabase.class, ScheduledBackup.class);

    private final KubernetesMockServer server;
    private final List<Consumer<RecordedRequest>> listeners = new CopyOnWriteArrayList<>();

    private LocalApiServer() {
        MOCK_LOG.setLevel(Level.WARNING);
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMixedDispatcher dispatcher = new KubernetesMixedDispatcher(responses) {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                listeners.forEach(l -> l.accept(request));
                return super.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses,
                dispatcher, false);
    }

    /** Starts on a free loopback port, registers the CRDs and the leader-election answer. */
    public static LocalApiServer start() {
        LocalApiServer local = new LocalApiServer();
        local.server.init();
        local.server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder()
                        .withNewStatus()
                        .withIncomplete(false)
                        .withResourceRules(new ResourceRuleBuilder()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withVerbs("get", "list", "watch", "create", "update", "patch")
                                .build())
                        .endStatus()
                        .build())
                .always();
        try (KubernetesClient client = local.newClient()) {
            for (Class<? extends HasMetadata> kind : KINDS) {
                client.apiextensions().v1().customResourceDefinitions().resource(crd(client, kind)).create();
            }
        }
        return local;
    }

    /** The generated CRD, from the api-model jar (META-INF/fabric8/&lt;plural&gt;.&lt;group&gt;-v1.yml). */
    static CustomResourceDefinition crd(KubernetesClient client, Class<? extends HasMetadata> kind) {
        String path = "/META-INF/fabric8/" + HasMetadata.getFullResourceName(kind) + "-v1.yml";
        try (InputStream in = LocalApiServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("CRD " + path + " is not on the classpath (berth-api-model jar)");
            }
            return client.apiextensions().v1().customResourceDefinitions().load(in).item();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client on this server (JDK HTTP client, default namespace {@code test}); the caller closes it. */
    public KubernetesClient newClient() {
        return server.createClient(new JdkHttpClientFactory());
    }

    /** Called for every request the server receives (tests count status writes with it). */
    public void onRequest(Consumer<RecordedRequest> listener) {
        listeners.add(listener);
    }

    public String url() {
        return server.url("/");
    }

    @Override
    public void close() {
        server.destroy();
    }
}
