package dev.berth.controller.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP port: {@code /metrics} (Prometheus text), {@code /healthz} (the process answers: liveness)
 * and {@code /readyz} (every required {@link HealthCheck} passes; each check is a line of the body, optional ones
 * marked degraded). The JDK's own HTTP server: three plain-text endpoints need nothing more.
 */
public final class HttpEndpoints implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpEndpoints.class);
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    public HttpEndpoints(int port, Supplier<String> metrics, List<HealthCheck> readiness) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "berth-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/metrics", exchange -> respond(exchange, 200, PROMETHEUS, metrics.get()));
        server.createContext("/healthz", exchange -> respond(exchange, 200, TEXT, "ok\n"));
        server.createContext("/readyz", exchange -> {
            StringBuilder body = new StringBuilder();
            boolean ready = true;
            boolean degraded = false;
            for (HealthCheck check : readiness) {
                Optional<String> problem;
                try {
                    problem = check.problem().get();
                } catch (RuntimeException e) {
                    problem = Optional.of("check failed: " + e.getClass().getSimpleName());
                }
                if (problem.isEmpty()) {
                    body.append(check.name()).append(": ok\n");
                } else if (check.required()) {
                    ready = false;
                    body.append(check.name()).append(": FAIL ").append(problem.get()).append('\n');
                } else {
                    degraded = true;
                    body.append(check.name()).append(": DEGRADED ").append(problem.get()).append('\n');
                }
            }
            String verdict = !ready ? "not ready" : degraded ? "ready (degraded)" : "ready";
            respond(exchange, ready ? 200 : 503, TEXT, verdict + "\n" + body);
        });
        server.start();
        log.info("HTTP endpoints /metrics /healthz /readyz on port {}", port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(code, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
