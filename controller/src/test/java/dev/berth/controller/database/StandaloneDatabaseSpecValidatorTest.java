package dev.berth.controller.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
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
}
