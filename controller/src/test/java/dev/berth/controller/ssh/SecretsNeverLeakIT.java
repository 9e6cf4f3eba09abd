package dev.berth.controller.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.docker.SshDockerHost;
import dev.berth.controller.testbed.TestBed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Key material, passphrases and secret environment values never reach a log line (at any level, DEBUG included),
 * the console, or an exception message — while doing everything that touches them on the real test bed.
 */
class SecretsNeverLeakIT {

    private static final String[] KEY_FILES = {
        "ed25519-openssh", "ed25519-openssh-encrypted", "ecdsa256-openssh", "ecdsa256-pkcs8", "ecdsa384-pem",
        "rsa-openssh", "rsa-pem", "rsa-pem-encrypted", "rsa-pkcs8"};

    @Test
    void noKeyMaterialPassphraseOrSecretValueInLogsOutputOrExceptions() throws Exception {
        TestBed bed = TestBed.get();
        TestBed.Host h = bed.host(1);
        String secretValue = "berth-secret-" + UUID.randomUUID();

        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level oldLevel = root.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        root.setLevel(Level.TRACE);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        System.setErr(tee);
        List<Throwable> failures = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        try (SshConnectionPool pool = new SshConnectionPool(new SimpleMeterRegistry(), SshSettings.defaults())) {
            for (String file : KEY_FILES) {
                byte[] key = SshKeyTest.resource(file);
                keys.add(key);
                SshKey.load(key, file.contains("encrypted") ? "test-passphrase".toCharArray() : null);
                if (file.contains("encrypted")) {
                    failures.add(catchIt(() -> SshKey.load(key, "not-the-passphrase".toCharArray())));
                    failures.add(catchIt(() -> SshKey.load(key, null)));
                }
            }
            byte[] bedKey = h.privateKey();
            keys.add(bedKey);

            // A working connection, Docker calls carrying a secret env value, and an exec.
            SshHostConnection good = pool.connection(new SshTarget("it/secrets", h.address(), h.port(), h.user(),
                    SshKey.load(bedKey, null), HostKeyPolicy.pinned(h.hostKeyFingerprint()), 8));
            good.exec("true", OutputStream.nullOutputStream(), OutputStream.nullOutputStream(), Duration.ofSeconds(10));
            try (SshDockerHost docker = SshDockerHost.on(good, h.remoteDockerSocket(), new SimpleMeterRegistry())) {
                String id = docker.createContainer(ContainerSpec.of(null, bed.appImage())
                        .withEnv(Map.of("DATABASE_PASSWORD", secretValue)));
                docker.removeContainer(id, true);
                failures.add(catchIt(() -> docker.createContainer(ContainerSpec.of(null, "berth-test/none:1")
                        .withEnv(Map.of("DATABASE_PASSWORD", secretValue)))));
            }

            // Every failure path: wrong key (RSA PEM, so the ASN.1 parser runs), wrong host key.
            SshHostConnection wrongKey = pool.connection(new SshTarget("it/secrets-wrong-key", h.address(), h.port(),
                    h.user(), SshKey.load(SshKeyTest.resource("rsa-pem"), null),
                    HostKeyPolicy.pinned(h.hostKeyFingerprint()), 8));
            failures.add(catchIt(wrongKey::ensureConnected));
            SshHostConnection wrongHost = pool.connection(new SshTarget("it/secrets-wrong-host", h.address(), h.port(),
                    h.user(), SshKey.load(bedKey, null), HostKeyPolicy.pinned("SHA256:" + "B".repeat(43)), 8));
            failures.add(catchIt(wrongHost::ensureConnected));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            root.detachAppender(captured);
            root.setLevel(oldLevel);
        }

        StringBuilder everything = new StringBuilder(console.toString(StandardCharsets.UTF_8));
        for (ILoggingEvent e : captured.list) {
            everything.append(e.getFormattedMessage()).append('\n');
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                everything.append(t.getMessage()).append('\n');
            }
        }
        assertThat(captured.list).as("logging was captured at DEBUG").hasSizeGreaterThan(50);
        for (Throwable f : failures) {
            assertThat(f).as("each failure path failed").isNotNull();
            for (Throwable t = f; t != null; t = t.getCause()) {
                everything.append(t).append('\n');
            }
        }
        String all = everything.toString();
        assertThat(all).doesNotContain(secretValue).doesNotContain("test-passphrase").doesNotContain("not-the-passphrase");
        for (byte[] key : keys) {
            SshKeyTest.assertNoKeyMaterial(all, key);
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static Throwable catchIt(Action action) {
        try {
            action.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
