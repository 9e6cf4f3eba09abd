package dev.berth.controller;

import dev.berth.controller.http.HealthCheck;
import dev.berth.controller.local.LocalApiServer;
import dev.berth.controller.local.LocalResources;
import dev.berth.controller.local.LocalStatusTable;
import dev.berth.controller.mirror.MirrorDatabase;
import dev.berth.controller.mirror.PostgresMirror;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The operator's one entry point: reads {@link BerthConfig} from the environment, assembles the parts (Kubernetes
 * client or the LOCAL-ONLY in-process API server, the PostgreSQL mirror, the operator) and runs until SIGTERM,
 * then shuts down gracefully.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        BerthConfig config;
        try {
            config = BerthConfig.fromEnvironment();
        } catch (IllegalArgumentException e) {
            log.error("Configuration error: {}", e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        BerthOperator operator;
        try {
            operator = run(config, System.out);
        } catch (RuntimeException e) {
            log.error("Berth operator failed to start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            operator.close();
            stopped.countDown();
        }, "berth-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Assembles and starts everything {@code config} asks for; the returned operator owns it all and closes it all.
     * In local mode, {@code out} receives the status table.
     */
    public static BerthOperator run(BerthConfig config, PrintStream out) {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            KubernetesClient client;
            if (config.localMode()) {
                LocalApiServer api = LocalApiServer.start();
                owned.add(api);
                client = api.newClient();
                log.warn("================================================================================");
                log.warn("LOCAL-ONLY MODE: Berth runs against an in-process, in-memory API server at {}", api.url());
                log.warn("(fabric8's mock, not a cluster: no schema enforcement, gone when the process exits).");
                log.warn("Never use BERTH_LOCAL_MODE=true in production.");
                log.warn("================================================================================");
            } else {
                client = new KubernetesClientBuilder().withHttpClientFactory(new JdkHttpClientFactory()).build();
                log.info("Kubernetes API server: {}", client.getMasterUrl());
            }
            MirrorDatabase database = MirrorDatabase.open(config.databaseUrl().orElse(null),
                    config.databaseUser().orElse(null), config.databasePassword().orElse(null), config.embeddedDbDir());
            owned.add(database);
            PostgresMirror mirror = new PostgresMirror(database);
            owned.add(mirror); // closed before the database (owned is closed last to first)
            owned.add(client);
            LocalStatusTable table = config.localMode() ? new LocalStatusTable(client, out) : null;
            if (table != null) {
                owned.add(table);
            }
            BerthOperator operator = new BerthOperator(config, client, mirror, mirrorCheck(database, mirror), owned);
            try {
                operator.start();
                if (config.localMode()) {
                    if (config.localApply().isPresent()) {
                        int n = LocalResources.apply(client, config.localApply().get());
                        log.info("LOCAL-ONLY: created {} resources from {}", n, config.localApply().get());
                    }
                    table.start();
                }
            } catch (IOException | RuntimeException e) {
                operator.close();
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            return operator;
        } catch (RuntimeException e) {
            closeAll(owned);
            throw e;
        }
    }

    /**
     * /readyz's mirror line. Optional on purpose: with PostgreSQL down Berth keeps reconciling (status says
     * Mirrored=False) and the rows catch up when it returns, so taking the pod out of service would only hide
     * its metrics. The body still says DEGRADED, with the number of writes waiting.
     */
    public static HealthCheck mirrorCheck(MirrorDatabase database, PostgresMirror mirror) {
        return new HealthCheck("mirror", false, () -> {
            try (Connection c = database.dataSource().getConnection()) {
                if (!c.isValid(1)) {
                    return Optional.of("PostgreSQL (" + database.description() + ") does not answer");
                }
            } catch (Exception e) {
                return Optional.of("PostgreSQL (" + database.description() + ") unreachable: "
                        + e.getClass().getSimpleName() + "; " + mirror.pendingWrites() + " writes waiting");
            }
            return mirror.isBehind() ? Optional.of(mirror.pendingWrites() + " writes waiting") : Optional.empty();
        });
    }

    private static void closeAll(List<AutoCloseable> owned) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                log.warn("Closing {}: {}", owned.get(i).getClass().getSimpleName(), e.toString());
            }
        }
    }
}
