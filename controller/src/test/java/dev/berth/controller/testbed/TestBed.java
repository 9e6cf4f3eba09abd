package dev.berth.controller.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The test bed brought up by {@code scripts/testbed.sh up}: fake remote Docker hosts (a network namespace each,
 * with a real sshd and a real dockerd) and a Redis, described by the env file whose path Surefire/Failsafe pass as
 * {@code BERTH_TESTBED_ENV}. All integration tests share it through {@link #get()}.
 *
 * <p>When the bed is down, {@link #get()} skips the calling test with a message saying how to bring it up; with
 * {@code CI=true} or {@code BERTH_TESTBED_REQUIRED=true} it fails instead, so CI cannot pass by skipping.
 */
public final class TestBed {

    public static final String ENV_VARIABLE = "BERTH_TESTBED_ENV";

    private static volatile TestBed instance;

    private final Path envFile;
    private final Map<String, String> values;
    private final List<Host> hosts;

    /** One fake remote host. */
    public record Host(
            int index,
            String address,
            int port,
            String user,
            Path privateKeyFile,
            String hostKeyFingerprint,
            Path localDockerSocket,
            String remoteDockerSocket,
            String netns) {

        /** The private key authorised on the host, read into memory (as the operator reads it from a Secret). */
        public byte[] privateKey() {
            try {
                return Files.readAllBytes(privateKeyFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the test bed's private key file " + privateKeyFile, e);
            }
        }

        /** {@code unix://} URI of the host's dockerd socket on this machine (the local floor for comparisons). */
        public String localDockerHost() {
            return "unix://" + localDockerSocket;
        }
    }

    private TestBed(Path envFile, Map<String, String> values) {
        this.envFile = envFile;
        this.values = values;
        int n = Integer.parseInt(require("TESTBED_HOSTS"));
        List<Host> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String p = "TESTBED_HOST_" + i + "_";
            list.add(new Host(
                    i,
                    require(p + "ADDRESS"),
                    Integer.parseInt(require(p + "PORT")),
                    require(p + "USER"),
                    Path.of(require(p + "KEY")),
                    require(p + "HOST_KEY_FINGERPRINT"),
                    Path.of(require(p + "DOCKER_SOCK")),
                    values.getOrDefault(p + "REMOTE_DOCKER_SOCK", "/var/run/docker.sock"),
                    values.getOrDefault(p + "NETNS", "berth-h" + i)));
        }
        this.hosts = List.copyOf(list);
    }

    /** The test bed, or the calling test skipped (failed in CI) with a clear message when it is not up. */
    public static TestBed get() {
        TestBed bed = instance;
        if (bed != null) {
            return bed;
        }
        synchronized (TestBed.class) {
            if (instance == null) {
                instance = load();
            }
            return instance;
        }
    }

    private static TestBed load() {
        String configured = System.getenv(ENV_VARIABLE);
        if (configured == null || configured.isBlank()) {
            unavailable(ENV_VARIABLE + " is not set (Maven sets it; from an IDE set it to <repo>/target/testbed/testbed.env)");
        }
        Path file = Path.of(configured);
        if (!Files.isRegularFile(file)) {
            unavailable("the test bed is down: " + file + " does not exist; run `scripts/testbed.sh up` as root");
        }
        try {
            return new TestBed(file, parse(Files.readAllLines(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the test bed env file " + file, e);
        }
    }

    static Map<String, String> parse(List<String> lines) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq > 0) {
                map.put(trimmed.substring(0, eq).strip(), trimmed.substring(eq + 1).strip());
            }
        }
        return map;
    }

    private static void unavailable(String why) {
        boolean required = "true".equalsIgnoreCase(System.getenv("CI"))
                || "true".equalsIgnoreCase(System.getenv("BERTH_TESTBED_REQUIRED"));
        if (required) {
            Assertions.fail("test bed required but unavailable: " + why);
        }
        Assumptions.abort("test bed unavailable, skipping: " + why);
    }

    private String require(String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException("test bed env file " + envFile + " lacks " + key
                    + "; re-run `scripts/testbed.sh up`");
        }
        return v;
    }

    public int hostCount() {
        return hosts.size();
    }

    /** Host {@code i}, counting from 1 as the env file does. */
    public Host host(int i) {
        return hosts.get(i - 1);
    }

    public List<Host> hosts() {
        return hosts;
    }

    public String appImage() {
        return require("TESTBED_APP_IMAGE");
    }

    public int appPort() {
        return Integer.parseInt(values.getOrDefault("TESTBED_APP_PORT", "8080"));
    }

    public String redisUrl() {
        return require("TESTBED_REDIS_URL");
    }

    /** Any value of the env file, for keys added later. */
    public String value(String key) {
        return values.get(key);
    }

    /**
     * Drives a test-only sshd on host {@code hostIndex}, port {@code port} (never 22, which other tests share):
     * {@code start}, {@code stop} (drops all its connections, like the host going down), {@code rekey} (a new
     * host key) or {@code fingerprint}. Returns the script's output: the SHA256 fingerprint, except for stop.
     */
    public String sshd(String action, int hostIndex, int port) {
        return runScript("sshd", action, Integer.toString(hostIndex), Integer.toString(port));
    }

    /** {@code freeze} (SIGSTOP: a hung Docker whose socket still accepts) or {@code thaw} host {@code hostIndex}'s dockerd. */
    public void dockerd(String action, int hostIndex) {
        runScript("dockerd", action, Integer.toString(hostIndex));
    }

    /** Starts a test-only sshd as {@link #sshd} does, with {@code configLines} added to its sshd_config. */
    public String sshdWith(int hostIndex, int port, String... configLines) {
        List<String> args = new ArrayList<>(List.of("sshd", "start", Integer.toString(hostIndex), Integer.toString(port)));
        args.addAll(List.of(configLines));
        return runScript(args.toArray(String[]::new));
    }

    private String runScript(String... args) {
        List<String> command = new ArrayList<>();
        command.add(require("TESTBED_SCRIPT"));
        command.addAll(List.of(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
            // The script must act on the bed this env file describes, whatever slot the test's own environment names.
            String slot = values.get("TESTBED_SLOT");
            if (slot != null) {
                builder.environment().put("BERTH_TESTBED_SLOT", slot);
            }
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] err;
            byte[] out;
            // Small outputs: read both after exit is fine, but drain stdout first to never block the child.
            out = process.getInputStream().readAllBytes();
            err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("testbed.sh " + String.join(" ", args) + " timed out");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("testbed.sh " + String.join(" ", args) + " failed ("
                        + process.exitValue() + "): " + new String(err, StandardCharsets.UTF_8).strip());
            }
            return new String(out, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running testbed.sh", e);
        }
    }
}
