package dev.berth.controller.backup;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Which stored backup a restore reads (pure): {@code latest} is the newest name Berth made in the destination's
 * listing (start time, then name: names sort by time), a run id is the name carrying that id. Anything that is not a
 * Berth name (a sidecar, a {@code .partial} still being written, a person's file) is never chosen.
 */
public final class StoredRunChoice {
    public static final String LATEST = "latest";

    private StoredRunChoice() {
    }

    public static Optional<BackupName> choose(List<StoredBackup> listing, String run) {
        List<BackupName> names = listing.stream().flatMap(b -> BackupName.parse(b.name()).stream()).toList();
        if (run == null || run.isBlank() || LATEST.equals(run)) {
            return names.stream().max(Comparator.comparing(BackupName::startTime)
                    .thenComparing(BackupName::fileName));
        }
        UUID id;
        try {
            id = UUID.fromString(run);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return names.stream().filter(n -> n.runId().equals(id)).findFirst();
    }

    /** What was looked for, for a message: "the newest backup" or "run <id>". */
    public static String describe(String run) {
        return run == null || run.isBlank() || LATEST.equals(run) ? "the newest backup" : "run " + run;
    }
}
