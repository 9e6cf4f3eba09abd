package dev.berth.controller.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.berth.controller.testbed.TestBed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.io.output.CountingOutputStream;
import org.apache.commons.io.output.NullOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SSH layer against the test bed's real sshd hosts. Tests that break a host use their own sshd port. */
class SshConnectionIT {

    private TestBed bed;
    private SimpleMeterRegistry registry;
    private SshConnectionPool pool;

    @BeforeEach
    void setUp() {
        bed = TestBed.get();
        registry = new SimpleMeterRegistry();
        pool = new SshConnectionPool(registry, SshSettings.defaults()
                .withConnectTimeout(Duration.ofSeconds(5))
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(500)));
    }

    @AfterEach
    void tearDown() {
        if (pool != null) {
            pool.close();
        }
    }

    private SshTarget target(String id, int port, HostKeyPolicy policy) throws Exception {
        TestBed.Host h = bed.host(1);
        return new SshTarget(id, h.address(), port, h.user(), SshKey.load(h.privateKey(), null), policy, 8);
    }

    private static String run(SshHostConnection c, String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecResult r = c.exec(command, out, OutputStream.nullOutputStream(), Duration.ofSeconds(20));
        assertThat(r.exitStatus()).as("exit status of " + command).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    private double counter(String name, String host) {
        var c = registry.find(name).tag("host", host).counters();
        return c.stream().mapToDouble(x -> x.count()).sum();
    }

    @Test
    void pinnedFingerprintFromTheBedConnectsAndRunsCommandsOnEveryHost() throws Exception {
        for (TestBed.Host h : bed.hosts()) {
            SshTarget t = new SshTarget("it/pinned-" + h.index(), h.address(), h.port(), h.user(),
                    SshKey.load(h.privateKey(), null), HostKeyPolicy.pinned(h.hostKeyFingerprint()), 8);
            SshHostConnection c = pool.connection(t);
            assertThat(run(c, "cat /etc/os-release")).contains("ID=");
            assertThat(c.lastHostKeyVerdict()).isEqualTo(HostKeyVerifier.Verdict.MATCHED);
            assertThat(counter(SshMetrics.CONNECTIONS_OPENED, t.id())).isEqualTo(1.0);
            // OpenSSH and Berth agree on Berth's first choice, which the JDK computes (JdkCrypto).
            assertThat(c.cipherSuite()).isEqualTo("aes128-ctr with hmac-sha2-256-etm@openssh.com");
        }
    }

    /**
     * A host that hangs while its kernel still acknowledges TCP (sshd and its sessions stopped with SIGSTOP) sends no
     * FIN and no RST: only keep-alives that go unanswered show it is gone. The connection is dropped within a few
     * keep-alive periods, without any operation running, and the next operation after the host answers again
     * reconnects.
     */
    @Test
    void aHostThatHangsIsDroppedByUnansweredKeepAlivesAndReconnectedOnceItAnswers() throws Exception {
        int port = 2204;
        String fingerprint = bed.sshd("start", 1, port);
        SshConnectionPool quick = new SshConnectionPool(registry, SshSettings.defaults()
                .withKeepAliveInterval(Duration.ofSeconds(1))
                .withConnectTimeout(Duration.ofSeconds(5))
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(500)));
        List<String> lost = new CopyOnWriteArrayList<>();
        quick.onConnectionLost(lost::add);
        try {
            SshHostConnection c = quick.connection(target("it/hang", port, HostKeyPolicy.pinned(fingerprint)));
            assertThat(run(c, "echo up")).isEqualTo("up\n");
            // A host that answers its keep-alives keeps its idle connection (6 keep-alives, more than the 4 allowed
            // to go unanswered).
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(c::isConnected);
            assertThat(c.generation()).isEqualTo(1);

            bed.sshd("freeze", 1, port);
            long frozen = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> !c.isConnected());
            // 4 unanswered keep-alives at 1 s: not before about 4 s.
            assertThat(Duration.ofNanos(System.nanoTime() - frozen)).isGreaterThan(Duration.ofSeconds(3));
            // Whoever watches the pool (the Server reconciler) hears of it, and it is counted.
            await().atMost(Duration.ofSeconds(5)).until(() -> lost.equals(List.of("it/hang")));
            assertThat(counter("berth.ssh.connections.lost", "it/hang")).isEqualTo(1.0);

            bed.sshd("thaw", 1, port);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(run(c, "echo back")).isEqualTo("back\n"));
            assertThat(c.isConnected()).isTrue();
            assertThat(c.generation()).as("one reconnect").isEqualTo(2);
            // Closing it on purpose is not a loss.
            quick.close("it/hang");
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> lost.size() == 1);
        } finally {
            quick.close();
            bed.sshd("stop", 1, port);
        }
    }

    @Test
    void trustOnFirstUseRecordsTheFingerprintThenRefusesAChangedHostKey() throws Exception {
        int port = 2201;
        String first = bed.sshd("start", 1, port);
        try {
            SshHostConnection c = pool.connection(target("it/tofu", port, HostKeyPolicy.trustOnFirstUse(null)));
            c.ensureConnected();
            assertThat(c.lastHostKeyVerdict()).isEqualTo(HostKeyVerifier.Verdict.TRUSTED_ON_FIRST_USE);
            assertThat(c.trustedHostKeyFingerprint()).isEqualTo(first);

            String second = bed.sshd("rekey", 1, port);
            assertThat(second).isNotEqualTo(first);
            c.recycle();
            assertThatThrownBy(c::ensureConnected)
                    .isInstanceOfSatisfying(SshFailure.HostKeyMismatch.class, e -> {
                        assertThat(e.reason()).isEqualTo(SshFailure.Reason.HostKeyMismatch);
                        assertThat(e.expectedFingerprint()).isEqualTo(first);
                        assertThat(e.presentedFingerprint()).isEqualTo(second);
                        assertThat(e.getMessage()).contains(first, second, "spec.hostKey.fingerprint");
                    });
            assertThat(counter(SshMetrics.CONNECTIONS_FAILED, "it/tofu")).isEqualTo(1.0);

            // After a restart of the operator, the fingerprint recorded in status is passed back: still refused.
            SshHostConnection restarted = pool.connection(target("it/tofu", port, HostKeyPolicy.trustOnFirstUse(first)));
            assertThatThrownBy(restarted::ensureConnected).isInstanceOf(SshFailure.HostKeyMismatch.class);
        } finally {
            bed.sshd("stop", 1, port);
        }
    }

    @Test
    void pinnedWithAWrongFingerprintIsRefused() throws Exception {
        String wrong = "SHA256:" + "A".repeat(43);
        SshHostConnection c = pool.connection(target("it/wrong-pin", 22, HostKeyPolicy.pinned(wrong)));
        assertThatThrownBy(c::ensureConnected)
                .isInstanceOfSatisfying(SshFailure.HostKeyMismatch.class, e -> {
                    assertThat(e.presentedFingerprint()).isEqualTo(bed.host(1).hostKeyFingerprint());
                    assertThat(e.getMessage()).contains(wrong, "pinned");
                });
        assertThat(registry.find(SshMetrics.CONNECTIONS_FAILED).tag("reason", "HostKeyMismatch").counter().count())
                .isEqualTo(1.0);
    }

    @Test
    void aKeyTheHostDoesNotKnowFailsAuthentication() throws Exception {
        TestBed.Host h = bed.host(1);
        SshKey stranger = SshKey.load(SshKeyTest.resource("ed25519-openssh"), null);
        SshHostConnection c = pool.connection(new SshTarget("it/wrong-key", h.address(), h.port(), h.user(), stranger,
                HostKeyPolicy.pinned(h.hostKeyFingerprint()), 8));
        assertThatThrownBy(c::ensureConnected)
                .isInstanceOfSatisfying(SshFailure.AuthenticationFailed.class, e ->
                        assertThat(e.getMessage()).contains("refused the private key", stranger.publicKeyFingerprint()));
    }

    @Test
    void nothingListeningIsUnreachable() throws Exception {
        SshHostConnection c = pool.connection(target("it/closed-port", 2299, HostKeyPolicy.trustOnFirstUse(null)));
        assertThatThrownBy(c::ensureConnected)
                .isInstanceOfSatisfying(SshFailure.Unreachable.class, e ->
                        assertThat(e.getMessage()).contains("cannot connect", "2299"));
        // Within the backoff pause the last failure comes back at once, without a new attempt.
        assertThatThrownBy(c::ensureConnected).isInstanceOf(SshFailure.Unreachable.class);
    }

    @Test
    void reconnectsAfterTheHostsSshdWasStoppedAndStartedAgain() throws Exception {
        int port = 2202;
        String fp = bed.sshd("start", 1, port);
        try {
            SshHostConnection c = pool.connection(target("it/restart", port, HostKeyPolicy.pinned(fp)));
            assertThat(run(c, "echo one")).isEqualTo("one\n");
            assertThat(c.generation()).isEqualTo(1);

            bed.sshd("stop", 1, port);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThatThrownBy(() -> run(c, "true")).isInstanceOf(SshFailure.Unreachable.class));

            bed.sshd("start", 1, port);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> run(c, "echo two").equals("two\n"));
            assertThat(c.generation()).isEqualTo(2);
            assertThat(counter(SshMetrics.CONNECTIONS_OPENED, "it/restart")).isEqualTo(2.0);
            assertThat(registry.find(SshMetrics.CONNECTIONS_FAILED).tag("host", "it/restart")
                    .tag("reason", "Unreachable").counter()).isNotNull();
        } finally {
            bed.sshd("stop", 1, port);
        }
    }

    @Test
    void anOperationInFlightSurvivesARecycleOfTheConnection() throws Exception {
        TestBed.Host h = bed.host(1);
        SshHostConnection c = pool.connection(target("it/recycle", h.port(), HostKeyPolicy.pinned(h.hostKeyFingerprint())));
        c.ensureConnected();
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return run(c, "sleep 1; echo survived");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> c.openChannels() == 1);
        c.recycle();
        assertThat(run(c, "echo fresh")).isEqualTo("fresh\n");
        assertThat(c.generation()).isEqualTo(2);
        assertThat(slow.get()).isEqualTo("survived\n");
    }

    @Test
    void execStreamsOutputAndHonoursItsTimeout() throws Exception {
        TestBed.Host h = bed.host(1);
        SshHostConnection c = pool.connection(target("it/exec", h.port(), HostKeyPolicy.pinned(h.hostKeyFingerprint())));
        CountingOutputStream counting = new CountingOutputStream(NullOutputStream.INSTANCE);
        ExecResult r = c.exec("head -c 5000000 /dev/zero", counting, OutputStream.nullOutputStream(), Duration.ofSeconds(60));
        assertThat(r.succeeded()).isTrue();
        assertThat(counting.getByteCount()).isEqualTo(5_000_000L);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(c.exec("echo oops >&2; exit 3", OutputStream.nullOutputStream(), err, null).exitStatus()).isEqualTo(3);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("oops\n");

        assertThatThrownBy(() -> c.exec("sleep 30", OutputStream.nullOutputStream(), OutputStream.nullOutputStream(),
                Duration.ofMillis(500))).isInstanceOf(SshFailure.Timeout.class);
        assertThat(c.openChannels()).isZero();
        assertThat(run(c, "echo still-fine")).isEqualTo("still-fine\n");
    }
}
