package dev.berth.controller.backup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Retention from a destination's listing, not from the mirror: a backup whose mirror row was lost still counts and
 * still ages out. Backups are ordered by the start time in their name (an object's modification time changes when
 * its metadata is rewritten). The rules:
 * <ul>
 *   <li>only names Berth made ({@link BackupName#parse}) are counted or deleted;</li>
 *   <li>the newest backup is always kept, whatever the limits say (a complete copy in a Berth name exists only after
 *       its destination confirmed it), and so are the runs the caller protects (e.g. a restore reading one);</li>
 *   <li>{@code keepLast}: all but the newest n go; {@code maxAge}: those started longer ago go;
 *       {@code maxTotalSize}: counting from the newest, those that take the total past the limit go, and all older.</li>
 * </ul>
 */
public final class RetentionPlanner {
    private RetentionPlanner() {
    }

    public static RetentionPlan plan(List<StoredBackup> listing, RetentionRules rules, Instant now,
                                     Set<UUID> protectedRuns) {
        Map<StoredBackup, BackupName> named = listing.stream()
                .flatMap(b -> BackupName.parse(b.name()).map(n -> Map.entry(b, n)).stream())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a));
        List<StoredBackup> newestFirst = named.keySet().stream()
                .sorted(Comparator.comparing((StoredBackup b) -> named.get(b).startTime())
                        .thenComparing(StoredBackup::name).reversed())
                .toList();
        List<StoredBackup> keep = new ArrayList<>();
        List<RetentionPlan.Deletion> delete = new ArrayList<>();
        long total = 0;
        boolean overSize = false;
        for (int i = 0; i < newestFirst.size(); i++) {
            StoredBackup b = newestFirst.get(i);
            BackupName name = named.get(b);
            total += b.sizeBytes();
            overSize = overSize || (rules.maxTotalBytes() != null && total > rules.maxTotalBytes());
            Optional<RetentionPlan.Reason> reason = Optional.empty();
            if (rules.keepLast() != null && i >= rules.keepLast()) {
                reason = Optional.of(RetentionPlan.Reason.KEEP_LAST);
            } else if (rules.maxAge() != null && name.startTime().isBefore(now.minus(rules.maxAge()))) {
                reason = Optional.of(RetentionPlan.Reason.MAX_AGE);
            } else if (overSize) {
                reason = Optional.of(RetentionPlan.Reason.MAX_TOTAL_SIZE);
            }
            if (i == 0 || reason.isEmpty() || protectedRuns.contains(name.runId())) {
                keep.add(b);
            } else {
                delete.add(new RetentionPlan.Deletion(b, name, reason.get()));
            }
        }
        return new RetentionPlan(List.copyOf(keep), List.copyOf(delete));
    }
}
