package dev.berth.controller.local;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.BerthStatus;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LOCAL-ONLY: since kubectl cannot talk to the in-process API server, prints a short table of every Berth resource
 * (kind, namespace/name, Ready, reason, message) to stdout: checked every two seconds, printed when it changed.
 */
public final class LocalStatusTable implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStatusTable.class);
    private static final int MESSAGE_WIDTH = 70;
    private final KubernetesClient client;
    private final PrintStream out;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "berth-local-status");
        t.setDaemon(true);
        return t;
    });
    private String last;

    public LocalStatusTable(KubernetesClient client, PrintStream out) {
        this.client = client;
        this.out = out;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::printIfChanged, 2, 2, TimeUnit.SECONDS);
    }

    private void printIfChanged() {
        try {
            String table = render();
            if (!Objects.equals(table, last)) {
                last = table;
                out.print(table);
                out.flush();
            }
        } catch (RuntimeException e) {
            log.debug("status table not printed", e);
        }
    }

    String render() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KIND", "NAME", "READY", "REASON", "MESSAGE"});
        add(rows, client.resources(Server.class).inAnyNamespace().list().getItems());
        add(rows, client.resources(Application.class).inAnyNamespace().list().getItems());
        add(rows, client.resources(StandaloneDatabase.class).inAnyNamespace().list().getItems());
        add(rows, client.resources(ScheduledBackup.class).inAnyNamespace().list().getItems());
        int[] width = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < 4; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder b = new StringBuilder("\n--- Berth resources (LOCAL-ONLY in-process API server) ---\n");
        for (String[] row : rows) {
            b.append(String.format("%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %-" + width[3] + "s  %s%n",
                    (Object[]) row));
        }
        return b.toString();
    }

    private static <S extends BerthStatus> void add(List<String[]> rows, List<? extends CustomResource<?, S>> items) {
        for (CustomResource<?, S> r : items) {
            Condition ready = r.getStatus() == null ? null : r.getStatus().condition(Berth.CONDITION_READY).orElse(null);
            String message = ready == null || ready.getMessage() == null ? "" : ready.getMessage();
            if (message.length() > MESSAGE_WIDTH) {
                message = message.substring(0, MESSAGE_WIDTH - 3) + "...";
            }
            rows.add(new String[] {r.getKind(), r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(),
                    ready == null ? "-" : ready.getStatus(), ready == null ? "-" : ready.getReason(), message});
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
