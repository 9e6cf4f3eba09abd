package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Berth;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The login read from a Secret's values: {@link DatabaseCredentials#fromSecret}, pure. */
class DatabaseCredentialsTest {
    private static final String PASSWORD = "Pw-0f-th3-Secret";

    private static StandaloneDatabaseSpec spec(String databaseName) {
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setDatabaseName(databaseName);
        return spec;
    }

    private static CredentialsResult read(DatabaseEngine engine, Map<String, String> data) {
        return DatabaseCredentials.fromSecret(engine, spec("shop"), "shop-login", "spec.credentialsSecretRef", false,
                data);
    }

    @Test
    void aCompleteSecretGivesTheLoginAndTheDatabase() {
        CredentialsResult result = read(DatabaseEngine.POSTGRESQL, Map.of("username", "app", "password", PASSWORD));
        assertThat(result).isEqualTo(new CredentialsResult.Resolved(new DatabaseLogin("app", PASSWORD, "shop"),
                "shop-login", false));
        assertThat(result.toString()).doesNotContain(PASSWORD).contains("app", "shop-login");
        CredentialsResult mysql = DatabaseCredentials.fromSecret(DatabaseEngine.MYSQL, spec(null), "s", "x", true,
                Map.of("username", "app", "password", PASSWORD));
        assertThat(((CredentialsResult.Resolved) mysql).login().database()).isEqualTo("app");
    }

    @Test
    void aMissingSecretIsSecretNotFoundNamingItAndWhereItIsNamed() {
        CredentialsResult result = read(DatabaseEngine.POSTGRESQL, null);
        assertThat(result).isInstanceOfSatisfying(CredentialsResult.Unusable.class, u -> {
            assertThat(u.reason()).isEqualTo("SecretNotFound");
            assertThat(u.secretName()).isEqualTo("shop-login");
            assertThat(u.message()).contains("Secret shop-login (spec.credentialsSecretRef) does not exist",
                    "username", "password");
            assertThat(u.outcome().ready()).isFalse();
            assertThat(u.outcome().reason()).isEqualTo("SecretNotFound");
            assertThat(u.outcome().warning()).isTrue();
        });
    }

    @Test
    void aMissingOrEmptyKeyIsSecretNotFoundNamingTheKeyNeverAValue() {
        CredentialsResult noPassword = read(DatabaseEngine.POSTGRESQL, Map.of("username", "app"));
        assertThat(((CredentialsResult.Unusable) noPassword).message())
                .contains("Secret shop-login (spec.credentialsSecretRef) has no key password");
        CredentialsResult noUser = read(DatabaseEngine.MYSQL, Map.of("password", PASSWORD));
        assertThat(((CredentialsResult.Unusable) noUser).message()).contains("has no key username")
                .doesNotContain(PASSWORD);
        assertThat(((CredentialsResult.Unusable) noUser).reason()).isEqualTo(CredentialsResult.SECRET_NOT_FOUND);
        CredentialsResult empty = read(DatabaseEngine.POSTGRESQL, Map.of("username", "app", "password", ""));
        assertThat(((CredentialsResult.Unusable) empty).message()).contains("has an empty key password");
        CredentialsResult generated = DatabaseCredentials.fromSecret(DatabaseEngine.POSTGRESQL, spec(null),
                "shop-credentials", "generated for this database", true, Map.of("username", "app"));
        assertThat(((CredentialsResult.Unusable) generated).message()).contains("never regenerates");
    }

    @Test
    void aNulInThePasswordIsSecretInvalidWithoutTheValue() {
        CredentialsResult result = read(DatabaseEngine.POSTGRESQL, Map.of("username", "app", "password", "ab\0" + PASSWORD));
        assertThat(result).isInstanceOfSatisfying(CredentialsResult.Unusable.class, u -> {
            assertThat(u.reason()).isEqualTo(CredentialsResult.SECRET_INVALID);
            assertThat(u.message()).contains("key password", "NUL").doesNotContain(PASSWORD);
        });
    }

    @Test
    void theRedisFamilyHasOneUserAndNeedsOnlyThePassword() {
        for (DatabaseEngine engine : new DatabaseEngine[] {DatabaseEngine.REDIS, DatabaseEngine.VALKEY,
                DatabaseEngine.KEYDB, DatabaseEngine.DRAGONFLY}) {
            assertThat(read(engine, Map.of("password", PASSWORD))).isEqualTo(new CredentialsResult.Resolved(
                    new DatabaseLogin("default", PASSWORD, "0"), "shop-login", false));
            assertThat(read(engine, Map.of("username", "bob", "password", PASSWORD)))
                    .extracting(r -> ((CredentialsResult.Resolved) r).login().username()).isEqualTo("default");
        }
    }

    @Test
    void labelsSayWhoseTheSecretIs() {
        assertThat(DatabaseSecretParts.labels("credentials")).containsEntry(Berth.LABEL_MANAGED, "true")
                .containsEntry("berth.dev/secret", "credentials");
    }
}
