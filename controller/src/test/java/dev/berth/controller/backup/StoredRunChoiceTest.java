package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoredRunChoiceTest {
    private static final String OLD = "20261201T010000Z-11111111-1111-4111-8111-111111111111.dump";
    private static final String NEW = "20261202T010000Z-22222222-2222-4222-8222-222222222222.dump";

    private static StoredBackup file(String name) {
        return new StoredBackup(name, 10, Instant.EPOCH);
    }

    @Test
    void latestIsTheNewestBerthNameNeverASidecarOrPartialOrForeignFile() {
        List<StoredBackup> listing = List.of(file(OLD), file(NEW + ".sha256"), file(OLD + ".sha256"),
                file("20261203T010000Z-33333333-3333-4333-8333-333333333333.dump.partial"), file("zz-notes.txt"),
                file(NEW));
        assertThat(StoredRunChoice.choose(listing, "latest")).map(BackupName::fileName).contains(NEW);
        assertThat(StoredRunChoice.choose(listing, null)).map(BackupName::fileName).contains(NEW);
        assertThat(StoredRunChoice.choose(List.of(file(NEW + ".sha256")), "latest")).isEmpty();
    }

    @Test
    void aRunIdIsTheNameCarryingIt() {
        List<StoredBackup> listing = List.of(file(OLD), file(NEW));
        assertThat(StoredRunChoice.choose(listing, "11111111-1111-4111-8111-111111111111"))
                .map(BackupName::fileName).contains(OLD);
        assertThat(StoredRunChoice.choose(listing, "44444444-4444-4444-8444-444444444444")).isEmpty();
        assertThat(StoredRunChoice.describe("44444444-4444-4444-8444-444444444444"))
                .isEqualTo("run 44444444-4444-4444-8444-444444444444");
        assertThat(StoredRunChoice.describe("latest")).isEqualTo("the newest backup");
    }

    @Test
    void theSourceIsTheOneAskedForElseS3ElseTheHost() {
        ScheduledBackupSpec.Destination both = new ScheduledBackupSpec.Destination();
        both.setS3(new ScheduledBackupSpec.S3Destination());
        both.setHost(new ScheduledBackupSpec.HostDestination());
        ScheduledBackupSpec.Destination host = new ScheduledBackupSpec.Destination();
        host.setHost(new ScheduledBackupSpec.HostDestination());
        assertThat(RestoreSource.which(both, null)).contains("s3");
        assertThat(RestoreSource.which(both, "host")).contains("host");
        assertThat(RestoreSource.which(host, null)).contains("host");
        assertThat(RestoreSource.which(host, "s3")).isEmpty();
    }
}
