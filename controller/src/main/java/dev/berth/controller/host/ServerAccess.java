package dev.berth.controller.host;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.controller.docker.DockerHost;
import dev.berth.controller.docker.SshDockerHost;
import dev.berth.controller.server.ServerReasons;
import dev.berth.controller.server.ServerReconciler;
import dev.berth.controller.ssh.HostKeyPolicy;
import dev.berth.controller.ssh.PrivateKeyException;
import dev.berth.controller.ssh.SshConnectionPool;
import dev.berth.controller.ssh.SshHostConnection;
import dev.berth.controller.ssh.SshKey;
import dev.berth.controller.ssh.SshTarget;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * How any reconciler reaches the host of a {@link Server}: its pooled, verified SSH connection and the Docker engine
 * behind it. Application and StandaloneDatabase reconcilers call {@link #dockerHost(Server)} with the Server their
 * spec references (e.g. {@code context.getSecondaryResource(Server.class)}).
 *
 * <p>What it does, per call:
 * <ul>
 *   <li>reads the private key ({@code spec.privateKeySecretRef}, key {@code ssh-privatekey} by default) and the
 *       optional {@code passphrase} key from the Server's Secret into memory (parsed once per Secret
 *       resourceVersion, never logged, never stored anywhere else). The Server's own check
 *       ({@link #checkedConnection}) reads the Secret every time; the kinds that use the Server reuse a key read
 *       within {@link #KEY_REUSE} (a look at an Application or a database makes no Secret read of its own then: a
 *       rotated or deleted key is seen by the Server's next check, or after that time);</li>
 *   <li>builds the SSH target: {@code spec.host}, {@code spec.port}, {@code spec.user},
 *       {@code spec.maxConcurrentOperations}, and the host-key policy: {@code Pinned} → {@code spec.hostKey.fingerprint};
 *       {@code TrustOnFirstUse} → {@code spec.hostKey.fingerprint} when a person set one, else the fingerprint
 *       recorded in {@code status.hostKeyFingerprint}, else the first key seen (which the ServerReconciler then
 *       records);</li>
 *   <li>returns the one pooled connection for that Server (id {@code namespace/name}); a changed spec, key or
 *       fingerprint replaces it (operations in flight finish on the old one).</li>
 * </ul>
 *
 * <p>It refuses ({@link ServerAccessException}) a Server that is suspended, whose key cannot be read, or whose
 * status reports {@code HostKeyMismatch} for its current generation: Berth does not talk to a host whose key was
 * refused until a person edits the spec (sets the new fingerprint), whatever reconciler asks. It does not check the
 * host otherwise — that is the ServerReconciler's job: callers usually look at the Server's {@code Ready} condition
 * first. Failures on the wire come later, from the returned objects ({@link dev.berth.controller.ssh.SshFailure},
 * {@link dev.berth.controller.docker.DockerHostException} with kind {@code Unavailable}).
 *
 * <p>The returned {@link DockerHost} is shared and owned here: closing it does nothing. Nothing blocks: no call here
 * connects; connecting happens on first use of the connection (with the pool's timeouts and backoff).
 */
public final class ServerAccess implements AutoCloseable {

    /** The Secret key holding the private key when {@code privateKeySecretRef.key} is not given (kubernetes.io/ssh-auth). */
    public static final String DEFAULT_KEY = "ssh-privatekey";
    /** The Secret key holding the passphrase of an encrypted private key, if any. */
    public static final String PASSPHRASE_KEY = "passphrase";

    private final KubernetesClient client;
    private final SshConnectionPool pool;
    private final MeterRegistry registry;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, LoadedKey> keys = new ConcurrentHashMap<>();
    /** How long a key read from the Server's Secret is used without reading the Secret again (but by the Server). */
    public static final Duration KEY_REUSE = Duration.ofSeconds(30);

    public ServerAccess(KubernetesClient client, SshConnectionPool pool, MeterRegistry registry) {
        this.client = client;
        this.pool = pool;
        this.registry = registry;
    }

    /**
     * Calls {@code listener} with the Server whose established SSH connection dropped without Berth closing it (the
     * host closed it, went away, or left keep-alives unanswered), so that its status can be re-checked at once.
     */
    public void onConnectionLost(Consumer<ResourceID> listener) {
        pool.onConnectionLost(id -> {
            int slash = id.indexOf('/');
            if (slash > 0) {
                listener.accept(new ResourceID(id.substring(slash + 1), id.substring(0, slash)));
            }
        });
    }

    /** The id of a Server's host in the SSH pool, logs and metric tags: {@code namespace/name}. */
    public static String hostId(Server server) {
        return server.getMetadata().getNamespace() + "/" + server.getMetadata().getName();
    }

    /** The Server's Docker engine, through its pooled SSH connection. Shared: do not close it (closing is a no-op). */
    public DockerHost dockerHost(Server server) throws ServerAccessException {
        SshHostConnection connection = connection(server);
        String socket = socketPath(server.getSpec());
        Entry entry = entries.compute(hostId(server), (id, e) -> {
            if (e != null && e.connection == connection && e.docker != null && e.socketPath.equals(socket)) {
                return e;
            }
            if (e != null && e.docker != null) {
                e.docker.close();
            }
            return new Entry(connection, socket, SshDockerHost.on(connection, socket, registry));
        });
        return unclosable(entry.docker);
    }

    /** The Server's pooled SSH connection (not connected yet if nobody used it). */
    public SshHostConnection connection(Server server) throws ServerAccessException {
        return connection(server, false);
    }

    /** As {@link #connection(Server)}, with the private key read from its Secret now: the Server's own check. */
    public SshHostConnection checkedConnection(Server server) throws ServerAccessException {
        return connection(server, true);
    }

    private SshHostConnection connection(Server server, boolean freshKey) throws ServerAccessException {
        refuseIfBlocked(server);
        String id = hostId(server);
        SshKey key = privateKey(server, freshKey);
        ServerSpec spec = server.getSpec();
        SshTarget wanted = target(id, spec, key, hostKeyPolicy(server));
        Entry existing = entries.get(id);
        if (existing != null && !existing.connection.isClosed()
                && sameHostTrustingTheSameKey(existing.connection, wanted)) {
            // Under TrustOnFirstUse the live connection's verifier may already trust the first key seen while the
            // status does not show it yet (or shows exactly it): keep that connection instead of reconnecting.
            wanted = existing.connection.target();
        }
        SshHostConnection connection = pool.connection(wanted);
        entries.compute(id, (k, e) -> {
            if (e != null && e.connection == connection) {
                return e;
            }
            if (e != null && e.docker != null) {
                e.docker.close();
            }
            return new Entry(connection, socketPath(spec), null);
        });
        return connection;
    }

    /** The host-key fingerprint the pooled connection of this Server trusts now, if it has connected. */
    public Optional<String> trustedHostKeyFingerprint(Server server) {
        Entry e = entries.get(hostId(server));
        return e == null ? Optional.empty() : Optional.ofNullable(e.connection.trustedHostKeyFingerprint());
    }

    /** Closes the Server's connection and Docker client (suspended or deleted); the next use reconnects. */
    public void disconnect(Server server) {
        String id = hostId(server);
        Entry e = entries.remove(id);
        if (e != null && e.docker != null) {
            e.docker.close();
        }
        keys.remove(id);
        pool.close(id);
    }

    /** Whether a connection (open or not) is held for this Server. */
    public boolean holds(Server server) {
        return entries.containsKey(hostId(server));
    }

    @Override
    public void close() {
        entries.values().forEach(e -> {
            if (e.docker != null) {
                e.docker.close();
            }
        });
        entries.clear();
        keys.clear();
    }

    /**
     * The host-key policy for the Server. A fingerprint a person put in the spec always wins; under TrustOnFirstUse
     * without one, the recorded {@code status.hostKeyFingerprint} is required (null before the first connection).
     */
    static HostKeyPolicy hostKeyPolicy(Server server) {
        ServerSpec.HostKey hostKey = server.getSpec().getHostKey();
        String specFingerprint = hostKey == null ? null : hostKey.getFingerprint();
        if (hostKey != null && hostKey.getPolicy() == ServerSpec.HostKeyPolicy.Pinned) {
            return HostKeyPolicy.pinned(specFingerprint);
        }
        if (specFingerprint != null && !specFingerprint.isBlank()) {
            return HostKeyPolicy.trustOnFirstUse(specFingerprint);
        }
        ServerStatus status = server.getStatus();
        return HostKeyPolicy.trustOnFirstUse(status == null ? null : status.getHostKeyFingerprint());
    }

    /**
     * A refused host key stays refused for the generation that saw it: only a spec edit (a new fingerprint, or
     * switching policy) lets Berth try that host again.
     */
    public static Optional<String> hostKeyRefusal(Server server) {
        ServerStatus status = server.getStatus();
        if (status == null || status.getObservedGeneration() == null
                || !Objects.equals(status.getObservedGeneration(), server.getMetadata().getGeneration())) {
            return Optional.empty();
        }
        return status.condition(Berth.CONDITION_READY)
                .filter(c -> ServerReasons.HOST_KEY_MISMATCH.equals(c.getReason()))
                .map(c -> c.getMessage());
    }

    private static void refuseIfBlocked(Server server) throws ServerAccessException {
        if (Boolean.TRUE.equals(server.getSpec().getSuspend())) {
            throw new ServerAccessException(Berth.REASON_SUSPENDED, "Server " + hostId(server)
                    + " is suspended (spec.suspend: true): Berth performs no operations on its host");
        }
        Optional<String> refusal = hostKeyRefusal(server);
        if (refusal.isPresent()) {
            throw new ServerAccessException(ServerReasons.HOST_KEY_MISMATCH, refusal.get());
        }
    }

    private static boolean sameHostTrustingTheSameKey(SshHostConnection live, SshTarget wanted) {
        SshTarget have = live.target();
        if (have.hostKeyPolicy().mode() != HostKeyPolicy.Mode.TrustOnFirstUse
                || wanted.hostKeyPolicy().mode() != HostKeyPolicy.Mode.TrustOnFirstUse) {
            return false;
        }
        String trusted = live.trustedHostKeyFingerprint();
        String required = wanted.hostKeyPolicy().fingerprint();
        boolean keyAgrees = required == null || required.equals(trusted);
        return keyAgrees && have.host().equals(wanted.host()) && have.port() == wanted.port()
                && have.user().equals(wanted.user()) && have.key().equals(wanted.key())
                && have.maxConcurrentOperations() == wanted.maxConcurrentOperations();
    }

    private static SshTarget target(String id, ServerSpec spec, SshKey key, HostKeyPolicy policy) {
        return new SshTarget(id, spec.getHost(), spec.getPort() == null ? 22 : spec.getPort(),
                spec.getUser() == null ? "root" : spec.getUser(), key, policy,
                spec.getMaxConcurrentOperations() == null ? 8 : spec.getMaxConcurrentOperations());
    }

    private static String socketPath(ServerSpec spec) {
        return spec.getDocker() == null || spec.getDocker().getSocketPath() == null
                ? "/var/run/docker.sock" : spec.getDocker().getSocketPath();
    }

    /**
     * The Server's private key, parsed once per Secret resourceVersion; unless {@code fresh}, one read from the same
     * Secret within {@link #KEY_REUSE} is used without reading the Secret.
     */
    private SshKey privateKey(Server server, boolean fresh) throws ServerAccessException {
        String id = hostId(server);
        String namespace = server.getMetadata().getNamespace();
        SecretKeyRef ref = server.getSpec().getPrivateKeySecretRef();
        String keyName = ref.getKey() == null || ref.getKey().isBlank() ? DEFAULT_KEY : ref.getKey();
        String source = namespace + "/" + ref.getName() + "/" + keyName;
        LoadedKey recent = keys.get(id);
        if (!fresh && recent != null && recent.source().equals(source)
                && System.nanoTime() - recent.readAtNanos() < KEY_REUSE.toNanos()) {
            return recent.key();
        }
        long readAt = System.nanoTime();
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (secret == null) {
            throw new ServerAccessException(ServerReasons.SECRET_NOT_FOUND, "Secret " + ref.getName()
                    + " (spec.privateKeySecretRef) does not exist in namespace " + namespace
                    + "; create it (type kubernetes.io/ssh-auth, key " + keyName + ")");
        }
        String version = secret.getMetadata().getUid() + "/" + secret.getMetadata().getResourceVersion() + "/" + keyName;
        if (recent != null && recent.version.equals(version)) {
            keys.put(id, new LoadedKey(source, version, recent.key, readAt));
            return recent.key;
        }
        byte[] keyBytes = value(secret, keyName);
        if (keyBytes == null || keyBytes.length == 0) {
            throw new ServerAccessException(ServerReasons.SECRET_NOT_FOUND, "Secret " + ref.getName()
                    + " has no key " + keyName + " (spec.privateKeySecretRef.key); put the private key there");
        }
        byte[] passBytes = value(secret, PASSPHRASE_KEY);
        char[] passphrase = passBytes == null ? null : new String(passBytes, StandardCharsets.UTF_8).toCharArray();
        try {
            SshKey key = SshKey.load(keyBytes, passphrase);
            keys.put(id, new LoadedKey(source, version, key, readAt));
            return key;
        } catch (PrivateKeyException e) {
            throw new ServerAccessException(ServerReasons.PRIVATE_KEY_INVALID, "the private key in Secret "
                    + ref.getName() + ", key " + keyName + ", cannot be used: " + e.getMessage());
        } finally {
            Arrays.fill(keyBytes, (byte) 0);
            if (passBytes != null) {
                Arrays.fill(passBytes, (byte) 0);
            }
            if (passphrase != null) {
                Arrays.fill(passphrase, '\0');
            }
        }
    }

    private static byte[] value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            try {
                return Base64.getDecoder().decode(secret.getData().get(key).trim());
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        if (secret.getStringData() != null && secret.getStringData().get(key) != null) {
            return secret.getStringData().get(key).getBytes(StandardCharsets.UTF_8);
        }
        return null;
    }

    /** The shared DockerHost behind a view whose close() does nothing: one caller must not close it for all. */
    private static DockerHost unclosable(DockerHost shared) {
        return (DockerHost) Proxy.newProxyInstance(DockerHost.class.getClassLoader(), new Class<?>[] {DockerHost.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        return null;
                    }
                    if (method.getDeclaringClass() == Object.class) {
                        return switch (method.getName()) {
                            case "equals" -> proxy == args[0];
                            case "hashCode" -> System.identityHashCode(proxy);
                            default -> "DockerHost[" + shared.id() + "]";
                        };
                    }
                    try {
                        return method.invoke(shared, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private record Entry(SshHostConnection connection, String socketPath, DockerHost docker) {
    }

    /** A key as read: from which Secret and key, its uid/resourceVersion, when it was read ({@code nanoTime}). */
    private record LoadedKey(String source, String version, SshKey key, long readAtNanos) {
    }
}
