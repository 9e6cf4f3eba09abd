package dev.berth.controller.database;

import dev.berth.api.v1alpha1.StandaloneDatabase;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Secret {@code <database>-connection} an Application takes with {@code envFrom}: {@code uri}, {@code host},
 * {@code port}, {@code username}, {@code password}, {@code database}, and {@code jdbcUri} for the SQL engines
 * ({@link ConnectionDetails#secretData()}). Owned by the database (removed with it by the garbage collector).
 *
 * <p>Its {@code password} is the one the engine was last seen to accept: the reconciler writes the Secret only once
 * the engine runs with the login's password, so {@link #appliedPassword} is what a password change starts from.
 * Written only when its content differs from what is there (no API write on a pass with nothing changed).
 */
public final class ConnectionSecret {
    static final String ROLE = "connection";

    private final KubernetesClient client;
    private final CachedSecrets cached;

    public ConnectionSecret(KubernetesClient client) {
        this(client, null);
    }

    /**
     * Reads the Secret from the informer's cache ({@code cached}, or the API server when null): a look with nothing
     * changed then makes no API call for it. A write from a cache that was behind is refused by the API server (409)
     * and made again from a fresh read.
     */
    public ConnectionSecret(KubernetesClient client, CachedSecrets cached) {
        this.client = client;
        this.cached = cached;
    }

    private Secret current(StandaloneDatabase db) {
        return cached == null ? fresh(db) : cached.get(db.getMetadata().getNamespace(), name(db)).orElse(null);
    }

    private Secret fresh(StandaloneDatabase db) {
        return client.secrets().inNamespace(db.getMetadata().getNamespace()).withName(name(db)).get();
    }

    public static String name(StandaloneDatabase db) {
        return db.getMetadata().getName() + "-connection";
    }

    /**
     * Makes the connection Secret hold {@code details}: creates it, or updates it when its data, Berth's labels and
     * annotation or the owner reference differ (a person's own labels and annotations stay). Returns true when it
     * wrote.
     */
    public boolean write(StandaloneDatabase db, ConnectionDetails details) {
        try {
            return write(db, details, current(db));
        } catch (KubernetesClientException e) {
            if (cached == null || e.getCode() != 409) {
                throw e;
            }
            return write(db, details, fresh(db)); // the cache was behind: what is there now
        }
    }

    private boolean write(StandaloneDatabase db, ConnectionDetails details, Secret current) {
        String namespace = db.getMetadata().getNamespace();
        if (current != null && upToDate(current, db, details)) {
            return false;
        }
        Secret desired = desired(db, details, current);
        if (current == null) {
            client.secrets().inNamespace(namespace).resource(desired).create();
        } else {
            // The resourceVersion read above: a concurrent change makes this fail (409) and the reconcile retry.
            client.secrets().inNamespace(namespace).resource(desired).update();
        }
        return true;
    }

    /**
     * The password the connection Secret holds, if it exists: what the engine last accepted. From the cache, when
     * there is one: a Secret written a moment ago and not seen there yet counts as not known (no password change is
     * started from it; the next look sees it).
     */
    public Optional<String> appliedPassword(StandaloneDatabase db) {
        Secret current = current(db);
        return current == null ? Optional.empty() : DatabaseSecretParts.value(current, DatabaseCredentials.PASSWORD_KEY);
    }

    /** The Secret as it should be, built on {@code current} (null: a new one). Pure. */
    static Secret desired(StandaloneDatabase db, ConnectionDetails details, Secret current) {
        SecretBuilder builder = current == null ? new SecretBuilder() : new SecretBuilder(current);
        Map<String, String> labels = new LinkedHashMap<>(current == null || current.getMetadata().getLabels() == null
                ? Map.of() : current.getMetadata().getLabels());
        labels.putAll(DatabaseSecretParts.labels(ROLE));
        Map<String, String> annotations = new LinkedHashMap<>(current == null
                || current.getMetadata().getAnnotations() == null ? Map.of() : current.getMetadata().getAnnotations());
        annotations.put(DatabaseSecretParts.ANNOTATION_DATABASE, db.getMetadata().getName());
        return builder
                .editOrNewMetadata()
                    .withName(name(db))
                    .withNamespace(db.getMetadata().getNamespace())
                    .withLabels(labels)
                    .withAnnotations(annotations)
                    .withOwnerReferences(DatabaseSecretParts.withOwner(
                            current == null ? null : current.getMetadata().getOwnerReferences(), db, true))
                .endMetadata()
                .withType("Opaque")
                .withData(DatabaseSecretParts.encode(details.secretData()))
                .withStringData(null)
                .build();
    }

    /** True when {@code current} already holds {@code details} and is marked and owned as Berth makes it. Pure. */
    static boolean upToDate(Secret current, StandaloneDatabase db, ConnectionDetails details) {
        return DatabaseSecretParts.decode(current).equals(details.secretData())
                && (current.getStringData() == null || current.getStringData().isEmpty())
                && Objects.equals(current.getType(), "Opaque")
                && DatabaseSecretParts.madeFor(current, ROLE, db)
                && DatabaseSecretParts.ownedAsWanted(current.getMetadata().getOwnerReferences(), db, true);
    }
}
