package dev.berth.controller.server;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.DockerHostException;
import dev.berth.controller.host.ServerAccess;
import dev.berth.controller.host.ServerAccessException;
import dev.berth.controller.ssh.ExecResult;
import dev.berth.controller.ssh.SshFailure;
import dev.berth.controller.ssh.SshHostConnection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Checks one Server's host, in order: the key can be read, SSH connects with a verified host key and our key is
 * accepted, {@code /etc/os-release}, Docker's version and info, {@code spec.docker.minVersion}, and the Berth network
 * (created when missing: the only change it makes on the host). Stops at the first problem. Every call is bounded by
 * the SSH pool's timeouts; a host in backoff answers at once.
 */
final class HostChecker {
    static final Duration OS_RELEASE_TIMEOUT = Duration.ofSeconds(15);
    private static final String BACKOFF_NOTE = " (not retried yet: backing off)";

    private final ServerAccess access;

    HostChecker(ServerAccess access) {
        this.access = access;
    }

    HostCheck check(Server server) {
        ServerSpec spec = server.getSpec();
        String address = (spec.getUser() == null ? "root" : spec.getUser()) + "@" + spec.getHost() + ":"
                + (spec.getPort() == null ? 22 : spec.getPort());
        HostCheck.Facts facts = HostCheck.Facts.none(address);
        SshHostConnection ssh;
        try {
            ssh = access.checkedConnection(server);
        } catch (ServerAccessException e) {
            return HostCheck.failed(facts, e.reason(), e.getMessage());
        }
        try {
            ssh.ensureConnected();
        } catch (SshFailure f) {
            return failed(facts, f);
        }
        String fingerprint = ssh.trustedHostKeyFingerprint();
        String os;
        try {
            os = osRelease(ssh);
        } catch (SshFailure f) {
            return failed(facts, f);
        } catch (IOException e) {
            return HostCheck.failed(facts, ServerReasons.UNREACHABLE, "reading /etc/os-release on " + address
                    + " failed: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return HostCheck.failed(facts, ServerReasons.UNREACHABLE, "the check of " + address + " was interrupted");
        }
        String socket = spec.getDocker() == null || spec.getDocker().getSocketPath() == null
                ? "/var/run/docker.sock" : spec.getDocker().getSocketPath();
        String network = spec.getNetwork() == null ? "berth" : spec.getNetwork();
        facts = new HostCheck.Facts(fingerprint, address, os, null, null, null, null, null, socket, network);
        DockerHost docker;
        DockerHost.DockerVersion version;
        DockerHost.DockerInfo info;
        try {
            docker = access.dockerHost(server);
            version = docker.version();
            info = docker.info();
        } catch (ServerAccessException e) {
            return HostCheck.failed(facts, e.reason(), e.getMessage());
        } catch (DockerHostException e) {
            return dockerFailed(ssh, facts, e, "Docker did not answer on " + socket + " at " + address);
        }
        facts = new HostCheck.Facts(fingerprint, address, os != null ? os : info.operatingSystem(), version.version(),
                version.apiVersion(), version.arch(), info.cpus(), info.memoryBytes(), socket, network);
        String min = spec.getDocker() == null ? null : spec.getDocker().getMinVersion();
        if (min != null && !DockerVersions.atLeast(version.version(), min)) {
            return HostCheck.failed(facts, ServerReasons.DOCKER_TOO_OLD, "Docker Engine " + version.version()
                    + " on " + address + " is older than spec.docker.minVersion " + min
                    + "; upgrade Docker on the host or lower spec.docker.minVersion");
        }
        try {
            boolean created = docker.ensureNetwork(network, Map.of(Berth.LABEL_MANAGED, "true"));
            return HostCheck.passed(facts, created);
        } catch (DockerHostException e) {
            return dockerFailed(ssh, facts, e, "the Docker network " + network + " (spec.network) could not be checked or "
                    + "created at " + address);
        }
    }

    /** PRETTY_NAME of /etc/os-release, or null when the host has none (Docker's own OS name is used then). */
    private static String osRelease(SshHostConnection ssh) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExecResult result = ssh.exec("cat /etc/os-release", out, OutputStream.nullOutputStream(), OS_RELEASE_TIMEOUT);
        if (!result.succeeded()) {
            return null;
        }
        return OsRelease.describe(out.toString(StandardCharsets.UTF_8)).orElse(null);
    }

    static HostCheck failed(HostCheck.Facts facts, SshFailure f) {
        return HostCheck.failed(facts, reasonOf(f), stable(f.getMessage()));
    }

    /**
     * A refused socket channel is Docker's problem (no socket, dockerd down); any other SSH failure is the host's.
     * A Docker call that broke without saying why is put down to the host only if the connection is gone too.
     */
    private static HostCheck dockerFailed(SshHostConnection ssh, HostCheck.Facts facts, DockerHostException e,
            String what) {
        if (e.sshFailure().isPresent()) {
            SshFailure f = e.sshFailure().get();
            if (f.reason() != SshFailure.Reason.ChannelRefused) {
                return failed(facts, f);
            }
        } else if (e.kind() == DockerHostException.Kind.Unavailable) {
            try {
                ssh.ensureConnected();
            } catch (SshFailure f) {
                return failed(facts, f);
            }
        }
        return HostCheck.failed(facts, ServerReasons.DOCKER_UNAVAILABLE, what + ": " + stable(e.getMessage())
                + "; check that dockerd runs on the host, that spec.docker.socketPath is its socket and that the SSH "
                + "user may use it");
    }

    static String reasonOf(SshFailure f) {
        return switch (f.reason()) {
            case AuthenticationFailed -> ServerReasons.AUTHENTICATION_FAILED;
            case HostKeyMismatch -> ServerReasons.HOST_KEY_MISMATCH;
            case Unreachable, Timeout, ChannelRefused -> ServerReasons.UNREACHABLE;
        };
    }

    /** The same failure should read the same whether the pool tried again or answered from its backoff. */
    static String stable(String message) {
        if (message == null) {
            return "";
        }
        return message.endsWith(BACKOFF_NOTE) ? message.substring(0, message.length() - BACKOFF_NOTE.length())
                : message;
    }
}
