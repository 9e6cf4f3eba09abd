package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.controller.local.LocalApiServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The database's credentials and connection Secrets against the in-process API server (fabric8's mock in CRUD mode),
 * counting the writes it receives: generated once and never again, Retain/Delete ownership, the spec's Secret read
 * only, and no write on a second pass with nothing changed.
 */
class DatabaseSecretsIT {
    private static final String NS = "test";

    private LocalApiServer api;
    private KubernetesClient client;
    private final AtomicInteger secretWrites = new AtomicInteger();
    private final List<String> generated = new ArrayList<>();

    @BeforeEach
    void start() {
        api = LocalApiServer.start();
        client = api.newClient();
        api.onRequest(r -> {
            String path = r.getPath() == null ? "" : r.getPath().split("\\?")[0];
            if (path.contains("/secrets") && List.of("POST", "PUT", "PATCH", "DELETE").contains(r.getMethod())) {
                secretWrites.incrementAndGet();
            }
        });
    }

    @AfterEach
    void stop() {
        client.close();
        api.close();
    }

    /** Every call a new password, remembered: a second generation would show as a second entry. */
    private Supplier<String> passwords() {
        return () -> {
            String p = RandomPassword.generate();
            generated.add(p);
            return p;
        };
    }

    private StandaloneDatabase database(String name, StandaloneDatabaseSpec.Engine engine,
            StandaloneDatabaseSpec.DeletionPolicy policy) {
        StandaloneDatabase db = new StandaloneDatabase();
        db.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef("h1"));
        spec.setEngine(engine);
        spec.getStorage().setDeletionPolicy(policy);
        db.setSpec(spec);
        return client.resource(db).create();
    }

    private Secret secret(String name) {
        return client.secrets().inNamespace(NS).withName(name).get();
    }

    private static String value(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private void putSecret(String name, Map<String, String> values) {
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withData(DatabaseSecretParts.encode(values)).build()).createOr(op -> op.update());
    }

    @Test
    void generatedOnceIntoALabelledSecretAndNeverRegenerated() {
        StandaloneDatabase db = database("shop", StandaloneDatabaseSpec.Engine.POSTGRESQL,
                StandaloneDatabaseSpec.DeletionPolicy.Retain);
        DatabaseCredentials credentials = new DatabaseCredentials(client, passwords());

        CredentialsResult first = credentials.resolve(db);
        assertThat(first).isInstanceOf(CredentialsResult.Resolved.class);
        DatabaseLogin login = ((CredentialsResult.Resolved) first).login();
        assertThat(login.username()).isEqualTo("postgres");
        assertThat(login.database()).isEqualTo("postgres");
        assertThat(login.password()).hasSizeGreaterThanOrEqualTo(32).matches("[A-Za-z0-9]+");
        assertThat(((CredentialsResult.Resolved) first).secretName()).isEqualTo("shop-credentials");
        assertThat(((CredentialsResult.Resolved) first).generated()).isTrue();
        assertThat(first.toString()).doesNotContain(login.password());
        Secret stored = secret("shop-credentials");
        assertThat(value(stored, "username")).isEqualTo("postgres");
        assertThat(value(stored, "password")).isEqualTo(login.password());
        assertThat(stored.getMetadata().getLabels()).containsEntry(Berth.LABEL_MANAGED, "true")
                .containsEntry("berth.dev/secret", "credentials");
        assertThat(stored.getMetadata().getAnnotations()).containsEntry("berth.dev/database", "shop");
        assertThat(stored.getMetadata().getOwnerReferences()).as("Retain: survives the database").isEmpty();
        assertThat(secretWrites).hasValue(1);

        // A second pass, and a new instance (an operator restart): the same login, nothing written.
        assertThat(credentials.resolve(db)).isEqualTo(first);
        assertThat(new DatabaseCredentials(client, passwords()).resolve(db)).isEqualTo(first);
        assertThat(generated).hasSize(1);
        assertThat(secretWrites).hasValue(1);

        // spec.username counts only for the first generation; the Secret is the truth afterwards.
        db.getSpec().setUsername("shop_owner");
        assertThat(((CredentialsResult.Resolved) credentials.resolve(db)).login().username()).isEqualTo("postgres");
        assertThat(secretWrites).hasValue(1);
    }

    @Test
    void specUsernameNamesTheGeneratedUser() {
        StandaloneDatabase db = database("orders", StandaloneDatabaseSpec.Engine.MYSQL,
                StandaloneDatabaseSpec.DeletionPolicy.Retain);
        db.getSpec().setUsername("orders_app");
        DatabaseLogin login = ((CredentialsResult.Resolved) new DatabaseCredentials(client).resolve(db)).login();
        assertThat(login.username()).isEqualTo("orders_app");
        assertThat(login.database()).isEqualTo("app");
    }

    @Test
    void aSecretCreatedMeanwhileWinsOverTheOneBeingGenerated() {
        StandaloneDatabase db = database("race", StandaloneDatabaseSpec.Engine.REDIS,
                StandaloneDatabaseSpec.DeletionPolicy.Retain);
        // Another writer (a second reconcile, a stale cache) creates the Secret between the look and the create.
        Supplier<String> racing = () -> {
            putSecret("race-credentials", Map.of("username", "default", "password", "the-other-writers-password-0123"));
            return "this-one-must-lose-0123456789abcdef";
        };
        CredentialsResult result = new DatabaseCredentials(client, racing).resolve(db);
        assertThat(((CredentialsResult.Resolved) result).login().password()).isEqualTo("the-other-writers-password-0123");
        assertThat(value(secret("race-credentials"), "password")).isEqualTo("the-other-writers-password-0123");
    }

    @Test
    void withDeleteTheDatabaseOwnsItsGeneratedSecretAndWithRetainItDoesNot() {
        StandaloneDatabase db = database("cache", StandaloneDatabaseSpec.Engine.VALKEY,
                StandaloneDatabaseSpec.DeletionPolicy.Delete);
        DatabaseCredentials credentials = new DatabaseCredentials(client, passwords());
        String password = ((CredentialsResult.Resolved) credentials.resolve(db)).login().password();
        List<OwnerReference> owners = secret("cache-credentials").getMetadata().getOwnerReferences();
        assertThat(owners).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("StandaloneDatabase");
            assertThat(o.getApiVersion()).isEqualTo("berth.dev/v1alpha1");
            assertThat(o.getName()).isEqualTo("cache");
            assertThat(o.getUid()).isEqualTo(db.getMetadata().getUid()).isNotBlank();
            assertThat(o.getController()).isTrue();
        });
        int writes = secretWrites.get();
        credentials.resolve(db);
        assertThat(secretWrites).hasValue(writes);

        // The policy turned to Retain: the reference goes (one write), and the deleter finds nothing to change.
        db.getSpec().getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Retain);
        credentials.resolve(db);
        assertThat(secret("cache-credentials").getMetadata().getOwnerReferences()).isEmpty();
        assertThat(secretWrites).hasValue(writes + 1);
        credentials.releaseForDeletion(db);
        assertThat(secretWrites).hasValue(writes + 1);

        // Deleted with Retain, re-created under the same name (a new uid): the same login, no new password.
        client.resource(db).delete();
        StandaloneDatabase again = database("cache", StandaloneDatabaseSpec.Engine.VALKEY,
                StandaloneDatabaseSpec.DeletionPolicy.Delete);
        assertThat(again.getMetadata().getUid()).isNotEqualTo(db.getMetadata().getUid());
        assertThat(((CredentialsResult.Resolved) credentials.resolve(again)).login().password()).isEqualTo(password);
        assertThat(generated).hasSize(1);
        assertThat(secret("cache-credentials").getMetadata().getOwnerReferences()).singleElement()
                .extracting(OwnerReference::getUid).isEqualTo(again.getMetadata().getUid());

        // Turned to Delete just before the delete, with no reconcile in between: the deleter sets the reference.
        again.getSpec().getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Retain);
        credentials.resolve(again);
        again.getSpec().getStorage().setDeletionPolicy(StandaloneDatabaseSpec.DeletionPolicy.Delete);
        credentials.releaseForDeletion(again);
        assertThat(secret("cache-credentials").getMetadata().getOwnerReferences()).singleElement()
                .extracting(OwnerReference::getUid).isEqualTo(again.getMetadata().getUid());
    }

    @Test
    void theSpecsSecretIsReadOnlyAndItsAbsenceOrAMissingKeyIsSecretNotFound() {
        StandaloneDatabase db = database("billing", StandaloneDatabaseSpec.Engine.POSTGRESQL,
                StandaloneDatabaseSpec.DeletionPolicy.Delete);
        db.getSpec().setCredentialsSecretRef(new LocalRef("billing-login"));
        DatabaseCredentials credentials = new DatabaseCredentials(client, passwords());
        assertThat(DatabaseCredentials.secretName(db)).isEqualTo("billing-login");

        CredentialsResult missing = credentials.resolve(db);
        assertThat(missing).isInstanceOfSatisfying(CredentialsResult.Unusable.class, u -> {
            assertThat(u.reason()).isEqualTo("SecretNotFound");
            assertThat(u.message()).contains("Secret billing-login (spec.credentialsSecretRef) does not exist");
        });

        putSecret("billing-login", Map.of("username", "billing"));
        int writes = secretWrites.get();
        CredentialsResult noKey = credentials.resolve(db);
        assertThat(((CredentialsResult.Unusable) noKey).message()).contains("has no key password");

        putSecret("billing-login", Map.of("username", "billing", "password", "chosen by a person"));
        writes = secretWrites.get();
        CredentialsResult resolved = credentials.resolve(db);
        assertThat(resolved).isEqualTo(new CredentialsResult.Resolved(
                new DatabaseLogin("billing", "chosen by a person", "billing"), "billing-login", false));
        credentials.releaseForDeletion(db);
        assertThat(secretWrites).as("the spec's Secret is never written").hasValue(writes);
        assertThat(secret("billing-login").getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(secret("billing-credentials")).as("nothing generated").isNull();
        assertThat(generated).isEmpty();
    }

    @Test
    void anExistingSecretOfTheGeneratedNameThatBerthDidNotMakeIsUsedAsItIsNeverOverwritten() {
        StandaloneDatabase db = database("legacy", StandaloneDatabaseSpec.Engine.POSTGRESQL,
                StandaloneDatabaseSpec.DeletionPolicy.Delete);
        putSecret("legacy-credentials", Map.of("username", "old_app"));
        int writes = secretWrites.get();
        DatabaseCredentials credentials = new DatabaseCredentials(client, passwords());
        CredentialsResult incomplete = credentials.resolve(db);
        assertThat(((CredentialsResult.Unusable) incomplete).message())
                .contains("legacy-credentials", "has no key password", "never regenerates");

        putSecret("legacy-credentials", Map.of("username", "old_app", "password", "kept from before"));
        writes = secretWrites.get();
        assertThat(((CredentialsResult.Resolved) credentials.resolve(db)).login())
                .isEqualTo(new DatabaseLogin("old_app", "kept from before", "old_app"));
        credentials.releaseForDeletion(db);
        assertThat(secretWrites).hasValue(writes);
        assertThat(secret("legacy-credentials").getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(generated).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(DatabaseEngine.class)
    void theConnectionSecretHoldsTheEnginesDetailsAndIsWrittenOnlyWhenTheyChange(DatabaseEngine engine) {
        StandaloneDatabase db = database("db-" + engine.name().toLowerCase(),
                StandaloneDatabaseSpec.Engine.valueOf(engine.name()), StandaloneDatabaseSpec.DeletionPolicy.Retain);
        DatabaseLogin login = ((CredentialsResult.Resolved) new DatabaseCredentials(client).resolve(db)).login();
        ConnectionSecret connection = new ConnectionSecret(client);
        String host = "berth-test-" + db.getMetadata().getName();
        assertThat(connection.appliedPassword(db)).isEmpty();

        int writes = secretWrites.get();
        assertThat(connection.write(db, engine.connection(host, engine.port(), login))).isTrue();
        Secret stored = secret(ConnectionSecret.name(db));
        assertThat(stored.getMetadata().getName()).isEqualTo(db.getMetadata().getName() + "-connection");
        List<String> keys = new ArrayList<>(List.of("uri", "host", "port", "username", "password", "database"));
        if (engine.sql()) {
            keys.add("jdbcUri");
        }
        assertThat(stored.getData()).containsOnlyKeys(keys);
        assertThat(value(stored, "host")).isEqualTo(host);
        assertThat(value(stored, "port")).isEqualTo(Integer.toString(engine.port()));
        assertThat(value(stored, "username")).isEqualTo(login.username());
        assertThat(value(stored, "password")).isEqualTo(login.password());
        assertThat(value(stored, "database")).isEqualTo(login.database());
        assertThat(value(stored, "uri")).isEqualTo(engine.connection(host, engine.port(), login).uri())
                .contains(host + ":" + engine.port());
        assertThat(stored.getMetadata().getLabels()).containsEntry("berth.dev/secret", "connection");
        assertThat(stored.getMetadata().getOwnerReferences()).singleElement()
                .extracting(OwnerReference::getUid).isEqualTo(db.getMetadata().getUid());
        assertThat(connection.appliedPassword(db)).hasValue(login.password());
        assertThat(secretWrites).hasValue(writes + 1);

        // Nothing changed: no write, however often.
        assertThat(connection.write(db, engine.connection(host, engine.port(), login))).isFalse();
        assertThat(new ConnectionSecret(client).write(db, engine.connection(host, engine.port(), login))).isFalse();
        assertThat(secretWrites).hasValue(writes + 1);

        // A new password: one write, and a person's own label stays.
        client.secrets().inNamespace(NS).withName(ConnectionSecret.name(db))
                .edit(s -> new SecretBuilder(s).editMetadata().addToLabels("team", "shop").endMetadata().build());
        DatabaseLogin next = new DatabaseLogin(login.username(), "new-password-0123456789abcdef0123", login.database());
        assertThat(connection.write(db, engine.connection(host, engine.port(), next))).isTrue();
        assertThat(value(secret(ConnectionSecret.name(db)), "password")).isEqualTo(next.password());
        assertThat(secret(ConnectionSecret.name(db)).getMetadata().getLabels()).containsEntry("team", "shop");
        assertThat(secretWrites).hasValue(writes + 3);
        assertThat(connection.write(db, engine.connection(host, engine.port(), next))).isFalse();
        assertThat(secretWrites).hasValue(writes + 3);
    }

    @Test
    void aConnectionSecretChangedByHandIsPutBack() {
        StandaloneDatabase db = database("tampered", StandaloneDatabaseSpec.Engine.POSTGRESQL,
                StandaloneDatabaseSpec.DeletionPolicy.Retain);
        DatabaseLogin login = new DatabaseLogin("app", "pw-0123456789abcdef0123456789abcdef", "app");
        ConnectionSecret connection = new ConnectionSecret(client);
        ConnectionDetails details = DatabaseEngine.POSTGRESQL.connection("h", 5432, login);
        connection.write(db, details);
        client.secrets().inNamespace(NS).withName(ConnectionSecret.name(db)).edit(s -> new SecretBuilder(s)
                .addToData("host", Base64.getEncoder().encodeToString("elsewhere".getBytes(StandardCharsets.UTF_8)))
                .build());
        assertThat(connection.write(db, details)).isTrue();
        assertThat(value(secret(ConnectionSecret.name(db)), "host")).isEqualTo("h");
        assertThat(connection.write(db, details)).isFalse();
    }
}
