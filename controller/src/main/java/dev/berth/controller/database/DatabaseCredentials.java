package dev.berth.controller.database;

import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The login of a StandaloneDatabase, from the Secret that holds it (keys {@code username} and {@code password}):
 * <ul>
 *   <li>{@code spec.credentialsSecretRef} given: that Secret, read only, never written. Missing, or missing a key →
 *       {@link CredentialsResult.Unusable} ({@code SecretNotFound}) naming the Secret and the key.</li>
 *   <li>otherwise the Secret {@code <database>-credentials}, generated on first need (the engine's user, or
 *       {@code spec.username}; a {@link RandomPassword}) and never regenerated once it exists, whatever it then holds:
 *       the data volume may already hold that login. An existing Secret of that name is used as it is, which is how a
 *       database re-created with the same name (and so the same volume) logs in again after a delete with Retain.</li>
 * </ul>
 * <p>The generated Secret survives the database when {@code spec.storage.deletionPolicy} is {@code Retain} (the
 * default, like the volume): it then has no owner reference. With {@code Delete} it has one, with the database as
 * controller, and Kubernetes' garbage collector removes it after the database (Berth needs no {@code delete} right on
 * Secrets for that). Each {@link #resolve} brings the reference in line with the current policy, and the deleter calls
 * {@link #releaseForDeletion} so that a policy changed just before the delete still counts.
 *
 * <p>The password never leaves memory except into the Secret: no log line, exception message or {@code toString}
 * holds it.
 */
public final class DatabaseCredentials {
    public static final String USERNAME_KEY = "username";
    public static final String PASSWORD_KEY = "password";
    static final String ROLE = "credentials";

    private final KubernetesClient client;
    private final Supplier<String> passwords;
    private final CachedSecrets cached;

    public DatabaseCredentials(KubernetesClient client) {
        this(client, CachedSecrets.NONE);
    }

    /** Reads the Secret from {@code cached} when it holds it, else from the API server. */
    public DatabaseCredentials(KubernetesClient client, CachedSecrets cached) {
        this(client, RandomPassword::generate, cached);
    }

    DatabaseCredentials(KubernetesClient client, Supplier<String> passwords) {
        this(client, passwords, CachedSecrets.NONE);
    }

    private DatabaseCredentials(KubernetesClient client, Supplier<String> passwords, CachedSecrets cached) {
        this.client = client;
        this.passwords = passwords;
        this.cached = cached;
    }

    private Secret read(String namespace, String name) {
        return cached.get(namespace, name)
                .orElseGet(() -> client.secrets().inNamespace(namespace).withName(name).get());
    }

    /** The name of the Secret Berth generates when the spec names none. */
    public static String generatedSecretName(StandaloneDatabase db) {
        return db.getMetadata().getName() + "-credentials";
    }

    /** The Secret the login comes from: the spec's, else the generated one (for status and for watching it). */
    public static String secretName(StandaloneDatabase db) {
        StandaloneDatabaseSpec spec = db.getSpec();
        return spec.getCredentialsSecretRef() != null ? spec.getCredentialsSecretRef().getName()
                : generatedSecretName(db);
    }

    /**
     * The database's login: read from its Secret, or (no Secret named, none generated yet) generated into a new one.
     * Writes to the API only to create the generated Secret or to bring its owner reference in line with the
     * deletion policy; a second call with nothing changed writes nothing.
     */
    public CredentialsResult resolve(StandaloneDatabase db) {
        DatabaseEngine engine = DatabaseEngine.of(db.getSpec().getEngine());
        String namespace = db.getMetadata().getNamespace();
        if (db.getSpec().getCredentialsSecretRef() != null) {
            String name = db.getSpec().getCredentialsSecretRef().getName();
            Secret secret = read(namespace, name);
            return fromSecret(engine, db.getSpec(), name, "spec.credentialsSecretRef", false,
                    secret == null ? null : DatabaseSecretParts.decode(secret));
        }
        String name = generatedSecretName(db);
        Secret secret = read(namespace, name);
        if (secret == null) {
            secret = create(db, engine);
        } else if (DatabaseSecretParts.madeFor(secret, ROLE, db)) {
            secret = ownAsPolicySays(db, secret);
        }
        return fromSecret(engine, db.getSpec(), name, "generated for this database", true,
                DatabaseSecretParts.decode(secret));
    }

    /**
     * For the deleter, before the finalizer goes: the generated Secret gets the owner reference the deletion policy
     * asks for (none with Retain, so it survives; the database with Delete, so the garbage collector removes it).
     * A Secret named by the spec, or one Berth did not make, is not touched.
     */
    public void releaseForDeletion(StandaloneDatabase db) {
        if (db.getSpec() == null || db.getSpec().getCredentialsSecretRef() != null) {
            return;
        }
        Secret secret = client.secrets().inNamespace(db.getMetadata().getNamespace())
                .withName(generatedSecretName(db)).get();
        if (secret != null && DatabaseSecretParts.madeFor(secret, ROLE, db)) {
            ownAsPolicySays(db, secret);
        }
    }

    /**
     * The login in a Secret's values ({@code data} null when the Secret does not exist). Pure. The Redis family has
     * one user, {@code default}: its {@code username} key may be left out and is not used. The database is
     * {@code spec.databaseName} or the engine's default for the user.
     *
     * @param source where the Secret's name comes from, for the message ({@code spec.credentialsSecretRef})
     */
    static CredentialsResult fromSecret(DatabaseEngine engine, StandaloneDatabaseSpec spec, String secretName,
            String source, boolean generated, Map<String, String> data) {
        String what = "Secret " + secretName + " (" + source + ")";
        if (data == null) {
            return new CredentialsResult.Unusable(CredentialsResult.SECRET_NOT_FOUND, secretName, what
                    + " does not exist; create it with the keys " + USERNAME_KEY + " and " + PASSWORD_KEY);
        }
        String username = engine.namedUsers() ? data.get(USERNAME_KEY) : engine.username(null);
        String password = data.get(PASSWORD_KEY);
        for (Map.Entry<String, String> key : entries(username, password).entrySet()) {
            if (key.getValue() == null || key.getValue().isEmpty()) {
                return new CredentialsResult.Unusable(CredentialsResult.SECRET_NOT_FOUND, secretName, what
                        + (key.getValue() == null ? " has no key " : " has an empty key ") + key.getKey() + "; "
                        + (generated ? "Berth never regenerates an existing credentials Secret (the data may already "
                                + "hold its login): put the key back, or delete the Secret to have a new one generated "
                                + "for a database whose volume is new" : "add it"));
            }
            if (key.getValue().indexOf('\0') >= 0) {
                return new CredentialsResult.Unusable(CredentialsResult.SECRET_INVALID, secretName, what + ": key "
                        + key.getKey() + " holds a NUL character, which no engine can be given; change the value");
            }
        }
        return new CredentialsResult.Resolved(
                new DatabaseLogin(username, password, engine.database(spec.getDatabaseName(), username)),
                secretName, generated);
    }

    private static Map<String, String> entries(String username, String password) {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put(USERNAME_KEY, username);
        entries.put(PASSWORD_KEY, password);
        return entries;
    }

    /**
     * Creates the generated Secret. If it appeared meanwhile (another reconcile, a stale cache), the one that exists
     * wins: it is read back, never overwritten.
     */
    private Secret create(StandaloneDatabase db, DatabaseEngine engine) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(USERNAME_KEY, engine.username(db.getSpec().getUsername()));
        values.put(PASSWORD_KEY, passwords.get());
        Secret secret = new SecretBuilder()
                .withNewMetadata()
                    .withName(generatedSecretName(db))
                    .withNamespace(db.getMetadata().getNamespace())
                    .withLabels(DatabaseSecretParts.labels(ROLE))
                    .withAnnotations(Map.of(DatabaseSecretParts.ANNOTATION_DATABASE, db.getMetadata().getName()))
                    .withOwnerReferences(DatabaseSecretParts.withOwner(null, db, deleteWithDatabase(db)))
                .endMetadata()
                .withType("Opaque")
                .withData(DatabaseSecretParts.encode(values))
                .build();
        try {
            return client.secrets().inNamespace(db.getMetadata().getNamespace()).resource(secret).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            Secret existing = client.secrets().inNamespace(db.getMetadata().getNamespace())
                    .withName(generatedSecretName(db)).get();
            if (existing == null) {
                throw e;
            }
            return existing;
        }
    }

    private Secret ownAsPolicySays(StandaloneDatabase db, Secret secret) {
        boolean owned = deleteWithDatabase(db);
        if (DatabaseSecretParts.ownedAsWanted(secret.getMetadata().getOwnerReferences(), db, owned)) {
            return secret;
        }
        Secret updated = new SecretBuilder(secret).editMetadata()
                .withOwnerReferences(DatabaseSecretParts.withOwner(secret.getMetadata().getOwnerReferences(), db, owned))
                .endMetadata().build();
        return client.secrets().inNamespace(db.getMetadata().getNamespace()).resource(updated).update();
    }

    private static boolean deleteWithDatabase(StandaloneDatabase db) {
        StandaloneDatabaseSpec.Storage storage = db.getSpec().getStorage();
        return storage != null && storage.getDeletionPolicy() == StandaloneDatabaseSpec.DeletionPolicy.Delete;
    }
}
