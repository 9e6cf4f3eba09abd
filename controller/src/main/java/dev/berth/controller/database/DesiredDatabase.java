package dev.berth.controller.database;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.docker.ContainerSpec;
import dev.berth.controller.host.ContainerLimits;
import dev.berth.controller.validation.Durations;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one container a StandaloneDatabase is, as Berth wants it on its Server: the engine table's image, environment,
 * command, data directory and readiness check, with Berth's labels, the Berth network and its alias, the volume, the
 * public port, limits, and the engine's own stop signal and grace. Pure: the same inputs always give the same
 * container and the same {@link #configHash()}, whose first eight characters are in the container's name, so a
 * changed spec is a new container on the same volume.
 *
 * @param host the name clients on the Berth network connect to
 * @param startTimeout how long the engine may take from start to accepting an authenticated connection
 */
public record DesiredDatabase(DatabaseEngine engine, ContainerSpec container, String configHash, String image,
        String volume, String network, String host, int port, Integer publicPort, ReadinessCheck readiness,
        DatabaseLogin login, Duration startTimeout) {

    /** Label: the uid of the StandaloneDatabase a container belongs to. */
    public static final String LABEL_DATABASE = "berth.dev/database";
    /** Label: the volume the container's data is on. */
    public static final String LABEL_VOLUME = "berth.dev/volume";
    static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    static final Duration HEALTH_INTERVAL = Duration.ofSeconds(10);
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(5);

    /** As {@link #compute(StandaloneDatabase, DatabaseLogin, String, String)} for a volume that carries no key. */
    public static DesiredDatabase compute(StandaloneDatabase db, DatabaseLogin login, String network) {
        return compute(db, login, network, null);
    }

    /**
     * @param volumeKey the key on the database's volume ({@link PasswordFingerprint#volumeKey}), or null when the
     *     volume has none (the password then counts by its slow fingerprint: see {@link PasswordFingerprint})
     */
    public static DesiredDatabase compute(StandaloneDatabase db, DatabaseLogin login, String network,
            String volumeKey) {
        StandaloneDatabaseSpec spec = db.getSpec();
        String namespace = db.getMetadata().getNamespace();
        String name = db.getMetadata().getName();
        DatabaseEngine engine = DatabaseEngine.of(spec.getEngine());
        String image = image(spec);
        String volume = volumeName(db);
        String host = hostName(namespace, name);
        Map<String, String> env = engine.environment(login);
        ReadinessCheck readiness = engine.readiness(login);

        Map<String, String> labels = new LinkedHashMap<>(selector(db));
        labels.put(LABEL_VOLUME, volume);
        List<ContainerSpec.PortMapping> ports = new ArrayList<>();
        for (int p : engine.containerPorts()) {
            Integer published = p == engine.port() ? spec.getPublicPort() : null;
            ports.add(new ContainerSpec.PortMapping(p, "tcp", null, published));
        }
        List<ContainerSpec.MountSpec> mounts = List.of(
                new ContainerSpec.MountSpec(volume, engine.dataDirectory(image), true, false));
        Long memory = spec.getResources() == null ? null : ContainerLimits.memoryBytes(spec.getResources().getMemory());
        Long cpus = spec.getResources() == null ? null : ContainerLimits.nanoCpus(spec.getResources().getCpus());
        Duration interval = spec.getHealthCheck() == null || spec.getHealthCheck().getInterval() == null
                ? HEALTH_INTERVAL : Durations.parse(spec.getHealthCheck().getInterval()).orElse(HEALTH_INTERVAL);
        ContainerSpec.Health health = new ContainerSpec.Health(readiness.dockerHealthTest(env), interval,
                HEALTH_TIMEOUT, 3, Duration.ZERO);
        ContainerSpec template = new ContainerSpec(null, image, engine.command(spec.getConfig()), env, labels, network,
                List.of(host), ports, mounts, memory, cpus, "unless-stopped", null, health,
                new ContainerSpec.Stop(engine.stopSignal(), engine.stopGrace()));
        String hash = hash(template, login.password(), PasswordFingerprint.of(db.getMetadata().getUid(),
                login.password(), volumeKey));
        labels.put(Berth.LABEL_CONFIG_HASH, hash);
        ContainerSpec container = new ContainerSpec(containerName(namespace, name, hash), image, template.command(),
                env, labels, network, List.of(host), ports, mounts, memory, cpus, "unless-stopped", null, health,
                template.stop());
        return new DesiredDatabase(engine, container, hash, image, volume, network, host, engine.port(),
                spec.getPublicPort(), readiness, login, START_TIMEOUT);
    }

    /** The labels of a volume Berth creates for the database: managed, the database's uid and the key. */
    public static Map<String, String> volumeLabels(StandaloneDatabase db, String volumeKey) {
        Map<String, String> labels = new LinkedHashMap<>(selector(db));
        if (volumeKey != null) {
            labels.put(PasswordFingerprint.LABEL_KEY, volumeKey);
        }
        return labels;
    }

    /** The labels every container of the database carries: how Berth finds them on the host. */
    public static Map<String, String> selector(StandaloneDatabase db) {
        return Map.of(Berth.LABEL_MANAGED, "true", LABEL_DATABASE, db.getMetadata().getUid());
    }

    public static String image(StandaloneDatabaseSpec spec) {
        return spec.getImage() == null || spec.getImage().isBlank() ? DatabaseEngine.of(spec.getEngine()).defaultImage()
                : spec.getImage();
    }

    /** {@code spec.storage.volumeName}, else {@code berth-<namespace>-<name>-data}. */
    public static String volumeName(StandaloneDatabase db) {
        StandaloneDatabaseSpec.Storage storage = db.getSpec().getStorage();
        if (storage != null && storage.getVolumeName() != null && !storage.getVolumeName().isBlank()) {
            return storage.getVolumeName();
        }
        return "berth-" + db.getMetadata().getNamespace() + "-" + db.getMetadata().getName() + "-data";
    }

    /**
     * The database's name on the Berth network: {@code <name>.<namespace>.db}, apart from an Application's
     * {@code <name>.<namespace>}, so an Application and a database of the same name never share a DNS name.
     */
    public static String hostName(String namespace, String name) {
        return name + "." + namespace + ".db";
    }

    static String containerName(String namespace, String name, String hash) {
        return namespace + "-" + name + "-db-" + hash.substring(0, 8);
    }

    /**
     * Only what changes in how the engine runs: image, command, settings, ports, limits, the check, the login. The
     * password counts by its {@code fingerprint} ({@link PasswordFingerprint}: keyed by the volume's key, or slow),
     * never by itself.
     */
    static String hash(ContainerSpec t, String password, String fingerprint) {
        StringBuilder b = new StringBuilder();
        field(b, "image", t.image());
        field(b, "args", String.join("\u0000", t.command()));
        field(b, "password", fingerprint);
        new TreeMap<>(t.env()).forEach((k, v) -> field(b, "env:" + k, v.equals(password) ? "(password)" : v));
        field(b, "network", t.network());
        field(b, "aliases", String.join(",", t.networkAliases()));
        t.ports().forEach(p -> field(b, "port", p.containerPort() + "/" + p.protocol() + ":" + p.hostPort()));
        t.mounts().forEach(m -> field(b, "mount", m.source() + ">" + m.target()));
        field(b, "memory", String.valueOf(t.memoryBytes()));
        field(b, "cpus", String.valueOf(t.nanoCpus()));
        field(b, "health", String.join("\u0000", t.health().test()) + "|" + t.health().interval());
        field(b, "stop", t.stop().signal() + "|" + t.stop().grace());
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static void field(StringBuilder b, String key, String value) {
        b.append(key).append('=').append(value == null ? "" : value).append('\n');
    }

    @Override
    public String toString() {
        return "DesiredDatabase[" + engine + ", image=" + image + ", volume=" + volume + ", host=" + host + ":" + port
                + ", hash=" + configHash + "]";
    }
}
