package dev.berth.controller.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class StandaloneDatabaseSpecValidatorTest {
    static StandaloneDatabaseSpec valid() {
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setServerRef(new LocalRef("h1"));
        spec.setEngine(StandaloneDatabaseSpec.Engine.POSTGRESQL);
        return spec;
    }

    @Test
    void minimalSpecIsValid() {
        assertThat(StandaloneDatabaseSpecValidator.validate(valid()).problems()).isEmpty();
    }

    @Test
    void requiredFieldsAndPatterns() {
        StandaloneDatabaseSpec spec = new StandaloneDatabaseSpec();
        spec.setDatabaseName("1shop");
        spec.setPublicPort(0);
        spec.getStorage().setVolumeName("my volume");
        assertThat(StandaloneDatabaseSpecValidator.validate(spec).problems())
                .extracting(p -> p.substring(0, p.indexOf(": ")))
                .containsExactly("spec.serverRef", "spec.engine", "spec.databaseName", "spec.storage.volumeName",
                        "spec.publicPort");
    }

    /** Read as the informer reads a stored resource: JSON written against another version of the CRD. */
    @Test
    void everyEnumValueThisVersionDoesNotKnowIsNamedNotFatal() {
        StandaloneDatabaseSpec spec = new KubernetesSerialization().unmarshal("{\"serverRef\":{\"name\":\"h1\"},"
                + "\"engine\":\"cockroachdb\",\"storage\":{\"deletionPolicy\":\"Snapshot\"},"
                + "\"healthCheck\":{\"type\":\"grpc\"}}", StandaloneDatabaseSpec.class);
        assertThat(StandaloneDatabaseSpecValidator.validate(spec).problems()).containsExactly(
                "spec.engine: 'cockroachdb' is not a value this version of Berth knows (one of postgresql, mysql, mariadb, "
                        + "mongodb, redis, valkey, keydb, dragonfly, clickhouse)",
                "spec.storage.deletionPolicy: 'Snapshot' is not a value this version of Berth knows (one of Retain, Delete)",
                "spec.healthCheck.type: 'grpc' is not a value this version of Berth knows (one of http, tcp, command, none)");
    }

    @Test
    void restoreFromNeedsABackupRefAndTakesLatestOrARunIdFromS3OrTheHost() {
        StandaloneDatabaseSpec spec = valid();
        StandaloneDatabaseSpec.RestoreFrom from = new StandaloneDatabaseSpec.RestoreFrom();
        spec.setRestoreFrom(from);
        from.setRun("yesterday");
        from.setSource("ftp");
        assertThat(StandaloneDatabaseSpecValidator.validate(spec).problems())
                .extracting(p -> p.substring(0, p.indexOf(": ")))
                .containsExactly("spec.restoreFrom.backupRef", "spec.restoreFrom.run", "spec.restoreFrom.source");

        from.setBackupRef(new LocalRef("nightly"));
        from.setRun("latest");
        from.setSource(null);
        assertThat(StandaloneDatabaseSpecValidator.validate(spec).problems()).isEmpty();
        from.setRun("0b4e8a52-6f3c-4d7e-9a1b-2c3d4e5f6a7b");
        from.setSource("host");
        assertThat(StandaloneDatabaseSpecValidator.validate(spec).problems()).isEmpty();
    }
}
