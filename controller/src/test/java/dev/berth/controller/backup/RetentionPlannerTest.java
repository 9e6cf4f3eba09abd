package dev.berth.controller.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RetentionPlannerTest {
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /** Six daily backups, oldest first, 100 bytes each, started NOW minus 6..1 days. */
    private static List<StoredBackup> sixDaily() {
        List<StoredBackup> list = new ArrayList<>();
        for (int d = 6; d >= 1; d--) {
            list.add(backup(NOW.minus(Duration.ofDays(d)), 100));
        }
        return list;
    }

    private static StoredBackup backup(Instant start, long size) {
        BackupName name = new BackupName(start, UUID.nameUUIDFromBytes(start.toString().getBytes()), "dump");
        // Listed times say nothing: the name's start time orders them.
        return new StoredBackup(name.fileName(), size, NOW);
    }

    private static List<String> deleted(RetentionPlan plan) {
        return plan.delete().stream().map(d -> d.backup().name()).toList();
    }

    private static List<String> names(List<StoredBackup> backups) {
        return backups.stream().map(StoredBackup::name).toList();
    }

    @Test
    void keepLastDeletesAllButTheNewest() {
        List<StoredBackup> six = sixDaily();
        RetentionPlan plan = RetentionPlanner.plan(six, new RetentionRules(3, null, null), NOW, Set.of());
        assertThat(deleted(plan)).containsExactlyInAnyOrderElementsOf(names(six.subList(0, 3)));
        assertThat(plan.keep()).containsExactlyInAnyOrderElementsOf(six.subList(3, 6));
        assertThat(plan.delete()).allMatch(d -> d.reason() == RetentionPlan.Reason.KEEP_LAST);
    }

    @Test
    void theListingIsTheTruthWhateverOrderItComesIn() {
        List<StoredBackup> six = new ArrayList<>(sixDaily());
        List<StoredBackup> shuffled = List.of(six.get(3), six.get(0), six.get(5), six.get(1), six.get(4), six.get(2));
        assertThat(deleted(RetentionPlanner.plan(shuffled, new RetentionRules(2, null, null), NOW, Set.of())))
                .containsExactlyInAnyOrderElementsOf(names(six.subList(0, 4)));
    }

    @Test
    void maxAgeDeletesOlderOnes() {
        List<StoredBackup> six = sixDaily();
        RetentionPlan plan = RetentionPlanner.plan(six, new RetentionRules(null, Duration.ofHours(60), null), NOW,
                Set.of());
        assertThat(deleted(plan)).containsExactlyInAnyOrderElementsOf(names(six.subList(0, 4)));
        assertThat(plan.delete()).allMatch(d -> d.reason() == RetentionPlan.Reason.MAX_AGE);
    }

    @Test
    void maxTotalSizeCountsFromTheNewest() {
        List<StoredBackup> six = sixDaily();
        // 250 bytes hold two of 100; the third would make 300.
        RetentionPlan plan = RetentionPlanner.plan(six, new RetentionRules(null, null, 250L), NOW, Set.of());
        assertThat(deleted(plan)).containsExactlyInAnyOrderElementsOf(names(six.subList(0, 4)));
        assertThat(plan.keep()).extracting(StoredBackup::sizeBytes).containsOnly(100L);
        assertThat(plan.delete()).allMatch(d -> d.reason() == RetentionPlan.Reason.MAX_TOTAL_SIZE);
    }

    @Test
    void theNewestIsKeptEvenWhenEveryLimitWouldDeleteIt() {
        StoredBackup old = backup(NOW.minus(Duration.ofDays(40)), 1_000);
        StoredBackup older = backup(NOW.minus(Duration.ofDays(41)), 1_000);
        RetentionPlan plan = RetentionPlanner.plan(List.of(older, old),
                new RetentionRules(1, Duration.ofDays(1), 10L), NOW, Set.of());
        assertThat(plan.keep()).containsExactly(old);
        assertThat(deleted(plan)).containsExactly(older.name());
    }

    @Test
    void namesBerthDidNotMakeAreNeitherCountedNorDeleted() {
        List<StoredBackup> listing = new ArrayList<>(sixDaily());
        StoredBackup users = new StoredBackup("notes.txt", 10_000, NOW.minus(Duration.ofDays(900)));
        StoredBackup partial = new StoredBackup(listing.get(5).name() + BackupName.PARTIAL_SUFFIX, 10_000, NOW);
        StoredBackup nested = new StoredBackup("old/" + listing.get(0).name(), 10_000, NOW);
        StoredBackup lookalike = new StoredBackup(listing.get(0).name().replace(".dump", ".zip"), 100, NOW);
        listing.addAll(List.of(users, partial, nested, lookalike));
        RetentionPlan plan = RetentionPlanner.plan(listing, new RetentionRules(3, Duration.ofDays(30), 300L), NOW,
                Set.of());
        assertThat(deleted(plan)).hasSize(3).doesNotContain("notes.txt", partial.name(), nested.name(),
                lookalike.name());
        assertThat(plan.keep()).hasSize(3).doesNotContain(users, partial, nested, lookalike);
    }

    @Test
    void aBackupWithNoMirrorRowStillCountsBecauseOnlyTheListingIsRead() {
        // The planner takes no mirror rows at all: six objects, whatever the mirror remembers, leave three.
        assertThat(RetentionPlanner.plan(sixDaily(), new RetentionRules(3, null, null), NOW, Set.of()).keep())
                .hasSize(3);
    }

    @Test
    void protectedRunsAreKept() {
        List<StoredBackup> six = sixDaily();
        UUID oldest = BackupName.parse(six.get(0).name()).orElseThrow().runId();
        RetentionPlan plan = RetentionPlanner.plan(six, new RetentionRules(1, null, null), NOW, Set.of(oldest));
        assertThat(plan.keep()).containsExactlyInAnyOrder(six.get(0), six.get(5));
    }

    @Test
    void noRulesDeleteNothing() {
        assertThat(RetentionPlanner.plan(sixDaily(), RetentionRules.NONE, NOW, Set.of()).delete()).isEmpty();
    }

    @Test
    void namesRoundTripAndDirectories() {
        UUID run = UUID.fromString("0f8c2a4e-1b2c-4d3e-8f90-a1b2c3d4e5f6");
        BackupName n = new BackupName(Instant.parse("2026-12-01T03:00:07.123Z"), run, "sql.gz");
        assertThat(n.fileName()).isEqualTo("20261201T030007Z-0f8c2a4e-1b2c-4d3e-8f90-a1b2c3d4e5f6.sql.gz");
        assertThat(BackupName.parse(n.fileName())).contains(n);
        assertThat(BackupName.parse(n.fileName() + ".partial")).isEmpty();
        assertThat(BackupName.parse("20261341T030007Z-" + run + ".dump")).isEmpty();
        assertThat(BackupName.directory("backups/", "shop", "orders-db")).isEqualTo("backups/shop/orders-db/");
        assertThat(BackupName.directory(null, "shop", "orders-db")).isEqualTo("shop/orders-db/");
        assertThat(BackupName.directory("/srv/backups", "shop", "orders-db")).isEqualTo("/srv/backups/shop/orders-db/");
        assertThatThrownBy(() -> new BackupName(Instant.EPOCH, run, "exe")).hasMessageContaining("extension");
    }

    @Test
    void rulesFromTheSpec() {
        ScheduledBackupSpec.Retention r = new ScheduledBackupSpec.Retention();
        r.setKeepLast(7);
        r.setMaxAge("1d12h");
        r.setMaxTotalSize("10Gi");
        assertThat(RetentionRules.from(r)).isEqualTo(new RetentionRules(7, Duration.ofHours(36), 10L << 30));
        r.setMaxTotalSize("500m");
        assertThat(RetentionRules.from(r).maxTotalBytes()).isEqualTo(500L << 20);
        assertThat(RetentionRules.from(null)).isEqualTo(RetentionRules.NONE);
        assertThatThrownBy(() -> RetentionRules.duration("3 days")).hasMessageContaining("duration");
    }
}
