package dev.berth.controller.host;

import dev.berth.controller.docker.DockerHost;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What every Application on one host asks Docker about the host itself, remembered briefly: whether an image is there
 * and its digest, and that the Berth network exists. A burst of rollouts (a cold start of many Applications) then
 * asks once per host and fact every {@link #TTL} instead of once per Application, and those reads no longer queue for
 * the host's channel slots ahead of the creates and starts.
 *
 * <p>The rules (no I/O here; the caller passes the Docker call that loads a fact):
 * <ul>
 *   <li>a fact is used for {@link #TTL} after Docker answered, then loaded again: a network deleted out of band is
 *       recreated by the first look after that (the answer time, not the ask time: under load most of a call is the
 *       wait for a channel slot, before Docker looks);</li>
 *   <li>an image found missing is not remembered (a pull or {@code docker load} may bring it at any moment; asking
 *       again costs one read, and a missing image is rare: it is pulled next);</li>
 *   <li>one load per fact at a time: callers that ask while it runs get its answer (or its failure);</li>
 *   <li>a failed load is not remembered;</li>
 *   <li>{@link #forgetImage} after Berth pulls the image (its digest may have changed), {@link #forget} when a Docker
 *       call says NotFound (the image or the network went behind Berth's back): the next ask loads again. A load in
 *       flight when the fact is forgotten still answers the callers that asked before, but is not kept.</li>
 * </ul>
 * Facts are keyed by host: {@link #hostKey} names the engine (the Server's id and where it points), so a Server moved
 * to another machine does not see the old machine's facts.
 */
public final class HostFacts {
    /** How long a fact is used before Docker is asked again. */
    static final Duration TTL = Duration.ofSeconds(5);
    /** Above this many entries, expired ones are dropped when a new one is added. */
    static final int PRUNE_ABOVE = 512;

    enum Kind { IMAGE, NETWORK }

    record Key(String host, Kind kind, String name) {
    }

    private static final class Entry {
        final CompletableFuture<Object> value = new CompletableFuture<>();
        /** When Docker answered; set before {@link #value} completes. */
        volatile Instant answeredAt;
    }

    private final Clock clock;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    public HostFacts(Clock clock) {
        this.clock = clock;
    }

    /** The cache key of a Docker engine: the Server's id, its address and the socket Berth uses there. */
    public static String hostKey(String serverId, String address, Integer port, String socketPath) {
        return serverId + "|" + address + ":" + (port == null ? "" : port) + "|" + (socketPath == null ? "" : socketPath);
    }

    /** The image on the host (id and repository digests), or empty when it is not there; present answers are kept. */
    @SuppressWarnings("unchecked")
    public Optional<DockerHost.ImageInfo> image(String host, String image, Supplier<Optional<DockerHost.ImageInfo>> inspect) {
        return (Optional<DockerHost.ImageInfo>) get(new Key(host, Kind.IMAGE, image), inspect::get,
                v -> ((Optional<?>) v).isPresent());
    }

    /** Makes sure the network exists by calling {@code ensure}, at most once per {@link #TTL} per host and name. */
    public void network(String host, String network, Runnable ensure) {
        get(new Key(host, Kind.NETWORK, network), () -> {
            ensure.run();
            return Boolean.TRUE;
        }, v -> true);
    }

    public void forgetImage(String host, String image) {
        if (image != null) {
            entries.remove(new Key(host, Kind.IMAGE, image));
        }
    }

    public void forgetNetwork(String host, String network) {
        if (network != null) {
            entries.remove(new Key(host, Kind.NETWORK, network));
        }
    }

    /** A Docker call said NotFound: the image or the network may be gone; both are asked again next time. */
    public void forget(String host, String image, String network) {
        forgetImage(host, image);
        forgetNetwork(host, network);
    }

    int size() {
        return entries.size();
    }

    private Object get(Key key, Supplier<Object> load, Predicate<Object> keep) {
        while (true) {
            Instant now = clock.instant();
            Entry seen = entries.get(key);
            if (seen != null && (!seen.value.isDone() || fresh(seen, now))) {
                try {
                    return seen.value.join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw e;
                }
            }
            Entry mine = new Entry();
            boolean won = seen == null ? entries.putIfAbsent(key, mine) == null : entries.replace(key, seen, mine);
            if (!won) {
                continue; // someone else started a load meanwhile: use theirs
            }
            if (seen == null && entries.size() > PRUNE_ABOVE) {
                prune(now);
            }
            Object value;
            try {
                value = load.get();
            } catch (RuntimeException | Error e) {
                entries.remove(key, mine);
                mine.value.completeExceptionally(e);
                throw e;
            }
            if (!keep.test(value)) {
                entries.remove(key, mine);
            }
            mine.answeredAt = clock.instant();
            mine.value.complete(value);
            return value;
        }
    }

    private boolean fresh(Entry e, Instant now) {
        Instant at = e.answeredAt;
        return at != null && now.isBefore(at.plus(TTL)) && !e.value.isCompletedExceptionally();
    }

    private void prune(Instant now) {
        entries.entrySet().removeIf(e -> e.getValue().value.isDone() && !fresh(e.getValue(), now));
    }
}
