package dev.berth.controller.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.controller.ManualClock;
import dev.berth.controller.docker.DockerHost.ImageInfo;
import dev.berth.controller.docker.DockerHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The rules of the per-host facts cache, with a hand-moved clock and counting loaders: no Docker. */
class HostFactsTest {
    private static final String H1 = HostFacts.hostKey("ns/h1", "10.0.0.1", 22, null);
    private static final String H2 = HostFacts.hostKey("ns/h2", "10.0.0.2", 22, null);
    private static final String IMAGE = "registry.example.com/shop/web:1.4.2";
    private static final ImageInfo V1 = new ImageInfo("sha256:aaa", List.of("registry.example.com/shop/web@sha256:111"));
    private static final ImageInfo V2 = new ImageInfo("sha256:bbb", List.of("registry.example.com/shop/web@sha256:222"));

    final ManualClock clock = new ManualClock(Instant.parse("2026-11-26T10:00:00Z"));
    final HostFacts facts = new HostFacts(clock);
    final AtomicInteger inspects = new AtomicInteger();
    final AtomicReference<Optional<ImageInfo>> onHost = new AtomicReference<>(Optional.of(V1));

    Optional<ImageInfo> image(String host) {
        return facts.image(host, IMAGE, () -> {
            inspects.incrementAndGet();
            return onHost.get();
        });
    }

    @Test
    void aPresentImageIsAskedOncePerTtlPerHost() {
        assertThat(image(H1)).contains(V1);
        clock.advance(HostFacts.TTL.minusMillis(1));
        assertThat(image(H1)).contains(V1);
        assertThat(inspects).as("within the TTL: from memory").hasValue(1);

        assertThat(image(H2)).contains(V1);
        assertThat(inspects).as("another host is asked itself").hasValue(2);

        onHost.set(Optional.of(V2)); // re-tagged behind Berth's back
        clock.advance(Duration.ofMillis(1));
        assertThat(image(H1)).as("expired: asked again, the new digest").contains(V2);
        assertThat(inspects).hasValue(3);
    }

    @Test
    void aMissingImageIsNeverRemembered() {
        onHost.set(Optional.empty());
        assertThat(image(H1)).isEmpty();
        onHost.set(Optional.of(V1)); // pulled or loaded meanwhile
        assertThat(image(H1)).contains(V1);
        assertThat(inspects).hasValue(2);
    }

    @Test
    void aPullOrANotFoundForgetsTheImage() {
        image(H1);
        onHost.set(Optional.of(V2));
        facts.forgetImage(H1, IMAGE); // Berth pulled it: the digest may have changed
        assertThat(image(H1)).contains(V2);
        facts.forget(H1, IMAGE, "berth"); // a create said NotFound
        onHost.set(Optional.empty());
        assertThat(image(H1)).isEmpty();
        assertThat(inspects).hasValue(3);
    }

    @Test
    void theNetworkIsMadeSureOfOncePerTtlAndAgainAfterItOrWhenForgotten() {
        AtomicInteger ensures = new AtomicInteger();
        Runnable ensure = ensures::incrementAndGet;
        facts.network(H1, "berth", ensure);
        facts.network(H1, "berth", ensure);
        facts.network(H1, "other", ensure);
        facts.network(H2, "berth", ensure);
        assertThat(ensures).hasValue(3);

        // Deleted out of band: the first look after the TTL makes sure of it again (recreates it).
        clock.advance(HostFacts.TTL);
        facts.network(H1, "berth", ensure);
        assertThat(ensures).hasValue(4);

        // A start said NotFound: forgotten at once.
        facts.forgetNetwork(H1, "berth");
        facts.network(H1, "berth", ensure);
        assertThat(ensures).hasValue(5);
        assertThat(facts.size()).isEqualTo(3);
    }

    @Test
    void theTtlCountsFromDockersAnswerNotFromTheAsk() {
        facts.network(H1, "berth", () -> clock.advance(Duration.ofSeconds(4))); // waited 4 s for a channel slot
        AtomicInteger ensures = new AtomicInteger();
        clock.advance(HostFacts.TTL.minusSeconds(1));
        facts.network(H1, "berth", ensures::incrementAndGet);
        assertThat(ensures).hasValue(0);
    }

    @Test
    void aFailureIsPassedOnAndNotRemembered() {
        DockerHostException down = new DockerHostException(DockerHostException.Kind.Unavailable, "h1: gone", null);
        assertThatThrownBy(() -> facts.network(H1, "berth", () -> {
            throw down;
        })).isSameAs(down);
        AtomicInteger ensures = new AtomicInteger();
        facts.network(H1, "berth", ensures::incrementAndGet);
        assertThat(ensures).hasValue(1);

        assertThatThrownBy(() -> facts.image(H1, IMAGE, () -> {
            throw down;
        })).isSameAs(down);
        assertThat(image(H1)).contains(V1);
    }

    @Test
    void callersThatAskWhileALoadRunsShareIt() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Future<Optional<ImageInfo>> first = pool.submit(() -> facts.image(H1, IMAGE, () -> {
                inspects.incrementAndGet();
                loading.countDown();
                await(release);
                return Optional.of(V1);
            }));
            assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Optional<ImageInfo>>> others = new java.util.ArrayList<>();
            for (int i = 0; i < 7; i++) {
                others.add(pool.submit(() -> image(H1)));
            }
            Thread.sleep(100); // let them reach the load in flight
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).contains(V1);
            for (Future<Optional<ImageInfo>> f : others) {
                assertThat(f.get(10, TimeUnit.SECONDS)).contains(V1);
            }
            assertThat(inspects).as("one inspect for eight callers").hasValue(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLoadInFlightWhenForgottenAnswersItsCallerButIsNotKept() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<ImageInfo>> before = pool.submit(() -> facts.image(H1, IMAGE, () -> {
                loading.countDown();
                await(release);
                return Optional.of(V1); // what was there before the pull
            }));
            assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
            facts.forgetImage(H1, IMAGE); // the pull finished meanwhile
            release.countDown();
            assertThat(before.get(10, TimeUnit.SECONDS)).contains(V1);
            onHost.set(Optional.of(V2));
            assertThat(image(H1)).as("the pre-pull answer was not kept").contains(V2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void expiredEntriesArePrunedWhenThereAreMany() {
        for (int i = 0; i <= HostFacts.PRUNE_ABOVE; i++) {
            facts.network(H1, "net-" + i, () -> { });
        }
        clock.advance(HostFacts.TTL);
        facts.network(H1, "one-more", () -> { });
        assertThat(facts.size()).isEqualTo(1);
    }

    @Test
    void theHostKeyNamesWhereTheEngineIs() {
        assertThat(HostFacts.hostKey("ns/h1", "10.0.0.1", 22, null))
                .isNotEqualTo(HostFacts.hostKey("ns/h1", "10.0.0.9", 22, null))
                .isNotEqualTo(HostFacts.hostKey("ns/h1", "10.0.0.1", 2222, null))
                .isNotEqualTo(HostFacts.hostKey("ns/h1", "10.0.0.1", 22, "/run/user/1000/docker.sock"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
