package dev.berth.controller.operator;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.BerthStatus;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.controller.BerthConfig;
import dev.berth.controller.BerthOperator;
import dev.berth.controller.http.HealthCheck;
import dev.berth.controller.local.LocalApiServer;
import dev.berth.controller.mirror.Mirror;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * The in-process API server (with Berth's CRDs), a client on it, and operators started against it: what every
 * operator integration test stands on. Counts the status writes the API server receives.
 */
final class OperatorHarness implements AutoCloseable {
    final LocalApiServer api = LocalApiServer.start();
    final KubernetesClient client = api.newClient();
    final AtomicInteger statusWrites = new AtomicInteger();
    private final List<BerthOperator> operators = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    OperatorHarness() {
        api.onRequest(r -> {
            String method = r.getMethod();
            String path = r.getPath() == null ? "" : r.getPath().split("\\?")[0];
            if (("PATCH".equals(method) || "PUT".equals(method)) && path.endsWith("/status")) {
                statusWrites.incrementAndGet();
            }
        });
    }

    static BerthConfig config() {
        return BerthConfig.from(Map.of()).withHttpPort(0);
    }

    BerthOperator start(Mirror mirror, HealthCheck mirrorCheck, UnaryOperator<BerthConfig> customize) {
        return start(mirror, mirrorCheck, customize, api.newClient());
    }

    /** An operator whose informers get their watch events through {@code watchEvents} (a test holds some back). */
    BerthOperator start(Mirror mirror, HealthCheck mirrorCheck, WatchEventGate watchEvents) {
        return start(mirror, mirrorCheck, c -> c, new KubernetesClientBuilder().withConfig(client.getConfiguration())
                .withHttpClientFactory(new JdkHttpClientFactory()).withKubernetesSerialization(watchEvents).build());
    }

    private BerthOperator start(Mirror mirror, HealthCheck mirrorCheck, UnaryOperator<BerthConfig> customize,
            KubernetesClient operatorClient) {
        BerthOperator operator = new BerthOperator(customize.apply(config()), operatorClient, mirror, mirrorCheck,
                List.of());
        operators.add(operator);
        operator.start();
        return operator;
    }

    BerthOperator start(Mirror mirror) {
        return start(mirror, new HealthCheck("mirror", false,
                () -> mirror.isBehind() ? Optional.of("behind") : Optional.empty()), c -> c);
    }

    List<BerthOperator> operators() {
        return operators;
    }

    HttpResponse<String> get(BerthOperator operator, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    <T extends CustomResource<?, ? extends BerthStatus>> T fetch(Class<T> kind, String name) {
        return client.resources(kind).inNamespace(Resources.NS).withName(name).get();
    }

    static Optional<Condition> ready(CustomResource<?, ? extends BerthStatus> r) {
        return r == null || r.getStatus() == null ? Optional.empty() : r.getStatus().condition(Berth.CONDITION_READY);
    }

    @Override
    public void close() {
        operators.forEach(BerthOperator::close);
        client.close();
        api.close();
    }
}
