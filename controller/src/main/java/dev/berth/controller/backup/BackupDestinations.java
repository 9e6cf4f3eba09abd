package dev.berth.controller.backup;

import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.controller.backup.store.BackupTarget;
import dev.berth.controller.backup.store.EndpointTrust;
import dev.berth.controller.backup.store.PartPlan;
import dev.berth.controller.backup.store.S3Storage;
import dev.berth.controller.backup.store.ServerDirectory;
import dev.berth.controller.ssh.SshHostConnection;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where one ScheduledBackup's dumps are: its bucket (under {@code <prefix>/<namespace>/<name>/}) and/or its directory
 * on the database's Server (under {@code <path>/<namespace>/<name>/}), opened for one run, one restore or one
 * retention pass, and closed after. The S3 keys are read from their Secret here and live only in the S3 client.
 */
public final class BackupDestinations implements AutoCloseable {
    public static final String ACCESS_KEY_ID = "accessKeyId";
    public static final String SECRET_ACCESS_KEY = "secretAccessKey";
    /** The key of {@code spec.destination.s3.endpointCA}'s Secret read when the reference names none. */
    public static final String ENDPOINT_CA_KEY = "ca.crt";
    /** Reason: the Secret key {@code endpointCA} names holds no certificate Berth can read. */
    public static final String INVALID_ENDPOINT_CA = "InvalidEndpointCA";

    private final Optional<S3Storage> s3;
    private final String s3Directory;
    private final Optional<ServerDirectory> host;

    private BackupDestinations(Optional<S3Storage> s3, String s3Directory, Optional<ServerDirectory> host) {
        this.s3 = s3;
        this.s3Directory = s3Directory;
        this.host = host;
    }

    /**
     * Opens {@code backup}'s destinations; {@code serverConnection} is the SSH connection of the Server its
     * database runs on (used only when the spec has a host destination).
     *
     * @throws Unusable when the S3 credentials Secret is missing or lacks a key (the message names which, never a value)
     */
    public static BackupDestinations open(ScheduledBackup backup, KubernetesClient client,
                                          SshHostConnection serverConnection) throws Unusable {
        ScheduledBackupSpec.Destination d = backup.getSpec().getDestination();
        String namespace = backup.getMetadata().getNamespace();
        String name = backup.getMetadata().getName();
        Optional<S3Storage> s3 = Optional.empty();
        String s3Directory = null;
        if (d.getS3() != null) {
            ScheduledBackupSpec.S3Destination spec = d.getS3();
            String secretName = spec.getCredentialsSecretRef().getName();
            Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
            if (secret == null) {
                throw new Unusable("SecretNotFound", "Secret " + namespace + "/" + secretName
                        + " (spec.destination.s3.credentialsSecretRef) does not exist; create it with keys "
                        + ACCESS_KEY_ID + " and " + SECRET_ACCESS_KEY);
            }
            String keyId = value(secret, ACCESS_KEY_ID);
            String secretKey = value(secret, SECRET_ACCESS_KEY);
            if (keyId == null || secretKey == null) {
                throw new Unusable("SecretKeyMissing", "Secret " + namespace + "/" + secretName + " lacks key "
                        + (keyId == null ? ACCESS_KEY_ID : SECRET_ACCESS_KEY));
            }
            s3 = Optional.of(S3Storage.connect(spec.getEndpoint(), spec.getRegion(),
                    !Boolean.FALSE.equals(spec.getPathStyle()), spec.getBucket(), keyId, secretKey,
                    endpointTrust(client, namespace, spec.getEndpointCA()), S3Storage.PLAIN_BODIES));
            s3Directory = BackupName.directory(spec.getPrefix(), namespace, name);
        }
        Optional<ServerDirectory> host = d.getHost() == null ? Optional.empty()
                : Optional.of(new ServerDirectory(serverConnection,
                        BackupName.directory(d.getHost().getPath(), namespace, name).replaceAll("/$", "")));
        return new BackupDestinations(s3, s3Directory, host);
    }

    /** Opened from parts (tests, benchmarks). */
    public static BackupDestinations of(Optional<S3Storage> s3, String s3Directory, Optional<ServerDirectory> host) {
        return new BackupDestinations(s3, s3Directory, host);
    }

    /**
     * The CAs {@code spec.destination.s3.endpointCA} names, or the public ones when it names none.
     *
     * @throws Unusable when its Secret or key is missing or holds no readable certificate
     */
    private static EndpointTrust endpointTrust(KubernetesClient client, String namespace, SecretKeyRef ref)
            throws Unusable {
        if (ref == null) {
            return EndpointTrust.PUBLIC_CAS;
        }
        String key = ref.getKey() == null || ref.getKey().isBlank() ? ENDPOINT_CA_KEY : ref.getKey();
        String where = "Secret " + namespace + "/" + ref.getName() + " (spec.destination.s3.endpointCA)";
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        if (secret == null) {
            throw new Unusable("SecretNotFound", where + " does not exist; create it with the CA's certificate, PEM, "
                    + "under key " + key);
        }
        String pem = value(secret, key);
        if (pem == null) {
            throw new Unusable("SecretKeyMissing", where + " lacks key " + key);
        }
        try {
            return EndpointTrust.fromPem(pem);
        } catch (IllegalArgumentException e) {
            throw new Unusable(INVALID_ENDPOINT_CA, "key " + key + " of " + where + " " + e.getMessage());
        }
    }

    private static String value(Secret secret, String key) {
        if (secret.getData() != null && secret.getData().get(key) != null) {
            return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8).trim();
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(key);
    }

    /** A fresh copy of backup {@code name} for every destination: S3 first, then the host. */
    public List<BackupTarget> targets(BackupName name, Map<String, String> metadata, Duration timeout) {
        List<BackupTarget> out = new ArrayList<>();
        s3.ifPresent(s -> out.add(s.upload(s3Directory + name.fileName(), metadata, PartPlan.STANDARD)));
        host.ifPresent(h -> out.add(h.write(name.fileName(), timeout)));
        return out;
    }

    public Optional<S3Storage> s3() {
        return s3;
    }

    /** The key prefix (ending in '/') of this ScheduledBackup's objects; null without an S3 destination. */
    public String s3Directory() {
        return s3Directory;
    }

    public Optional<ServerDirectory> host() {
        return host;
    }

    @Override
    public void close() {
        s3.ifPresent(S3Storage::close);
    }

    /** The destinations cannot be opened for a reason a person fixes (a missing Secret or key). */
    public static final class Unusable extends Exception {
        private final String reason;

        public Unusable(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }
}
