package dev.berth.controller.ssh;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link SshHostConnection} per host id, shared by everything that talks to that host. Asking again with the
 * same id but changed settings (address, key, host-key policy, channel limit) replaces the entry; the old
 * connection lives on until its operations in flight finish.
 */
public final class SshConnectionPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshConnectionPool.class);

    private final SshSettings settings;
    private final SshMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService pumps;
    private final Map<String, SshHostConnection> hosts = new ConcurrentHashMap<>();
    private final List<Consumer<String>> lostListeners = new CopyOnWriteArrayList<>();

    public SshConnectionPool(MeterRegistry registry, SshSettings settings) {
        SensitiveLoggers.silence();
        this.settings = settings;
        this.metrics = new SshMetrics(registry);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("berth-ssh-timer"));
        this.pumps = Executors.newCachedThreadPool(daemon("berth-ssh-pump"));
    }

    /** The pooled connection for {@code target} (not yet connected: that happens on first use). */
    public SshHostConnection connection(SshTarget target) {
        SshHostConnection[] replaced = new SshHostConnection[1];
        SshHostConnection c = hosts.compute(target.id(), (id, existing) -> {
            if (existing != null && !existing.isClosed() && existing.target().equals(target)) {
                return existing;
            }
            replaced[0] = existing;
            return new SshHostConnection(target, settings, metrics, scheduler, pumps, this::connectionLost);
        });
        if (replaced[0] != null) {
            replaced[0].close();
        }
        return c;
    }

    /**
     * Calls {@code listener} with the host id whenever an established connection drops without Berth closing it (the
     * host closed it, went away, or left keep-alives unanswered). Called on the pool's timer thread; keep it short.
     */
    public void onConnectionLost(Consumer<String> listener) {
        lostListeners.add(listener);
    }

    private void connectionLost(String id) {
        // Not on the thread that noticed: that is sshj's, holding its transport's lock.
        try {
            scheduler.execute(() -> lostListeners.forEach(l -> {
                try {
                    l.accept(id);
                } catch (RuntimeException e) {
                    LOG.warn("host {}: a connection-lost listener failed: {}", id, e.toString());
                }
            }));
        } catch (RejectedExecutionException closing) {
            // the pool is closing: nobody to tell
        }
    }

    /** Closes the connection of host {@code id}, if any (e.g. its Server was deleted). */
    public void close(String id) {
        SshHostConnection c = hosts.remove(id);
        if (c != null) {
            c.close();
        }
    }

    public int size() {
        return hosts.size();
    }

    public SshSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        hosts.keySet().forEach(this::close);
        scheduler.shutdownNow();
        pumps.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
