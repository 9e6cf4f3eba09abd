package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.Berth;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PasswordFingerprintTest {
    private static final String UID = "0f6c2d1e-0000-4000-8000-000000000001";

    @Test
    void aVolumeMadeByBerthCarriesAKeyAndTheFingerprintFollowsKeyAndPassword() {
        String key = PasswordFingerprint.volumeKey(Optional.empty());
        assertThat(key).matches("[0-9a-f]{64}");
        assertThat(PasswordFingerprint.volumeKey(Optional.empty())).isNotEqualTo(key);

        String fp = PasswordFingerprint.of(UID, "s3cret-password", key);
        assertThat(PasswordFingerprint.of(UID, "s3cret-password", key)).isEqualTo(fp);
        assertThat(PasswordFingerprint.of(UID, "s3cret-passwore", key)).isNotEqualTo(fp);
        assertThat(PasswordFingerprint.of(UID, "s3cret-password", PasswordFingerprint.newKey())).isNotEqualTo(fp);
        assertThat(PasswordFingerprint.of("another-uid", "s3cret-password", key)).isNotEqualTo(fp);
        assertThat(fp).doesNotContain("s3cret").doesNotContain(key);
    }

    @Test
    void theKeyIsReadBackFromTheVolumesLabelsAndAVolumeWithoutOneTakesTheSlowWay() {
        String key = PasswordFingerprint.newKey();
        Map<String, String> labels = DesiredDatabase.volumeLabels(DesiredDatabaseTest.database(DatabaseEngine.REDIS,
                s -> { }), key);
        assertThat(labels).containsEntry(Berth.LABEL_MANAGED, "true").containsKey(DesiredDatabase.LABEL_DATABASE)
                .containsEntry(PasswordFingerprint.LABEL_KEY, key);
        assertThat(PasswordFingerprint.volumeKey(Optional.of(labels))).isEqualTo(key);

        // Made by hand, or by an earlier Berth: no key, so the PBKDF2 fingerprint it always had (nothing replaced).
        assertThat(PasswordFingerprint.volumeKey(Optional.of(Map.of(Berth.LABEL_MANAGED, "true")))).isNull();
        String slow = PasswordFingerprint.of(UID, "s3cret-password", null);
        assertThat(slow).matches("[0-9a-f]{32}").isNotEqualTo(PasswordFingerprint.of(UID, "s3cret-password", key));
        assertThat(PasswordFingerprint.of(UID, "s3cret-passwore", null)).isNotEqualTo(slow);
    }

    @Test
    void theConfigurationHashFollowsTheKeyedFingerprint() {
        var db = DesiredDatabaseTest.database(DatabaseEngine.POSTGRESQL, s -> { });
        var login = DesiredDatabaseTest.login(DatabaseEngine.POSTGRESQL, "first-password");
        String key = PasswordFingerprint.newKey();
        DesiredDatabase keyed = DesiredDatabase.compute(db, login, "berth", key);
        assertThat(DesiredDatabase.compute(db, login, "berth", key).configHash()).isEqualTo(keyed.configHash());
        assertThat(DesiredDatabase.compute(db, DesiredDatabaseTest.login(DatabaseEngine.POSTGRESQL, "second-password"),
                "berth", key).configHash()).isNotEqualTo(keyed.configHash());
        assertThat(keyed.container().labels()).containsEntry(Berth.LABEL_CONFIG_HASH, keyed.configHash());
        assertThat(keyed.container().labels().values()).noneMatch(v -> v.contains(key));
    }
}
