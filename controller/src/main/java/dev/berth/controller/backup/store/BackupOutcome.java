package dev.berth.controller.backup.store;

import java.util.List;
import java.util.Optional;

/**
 * How one backup run's stream ended, destination by destination. The run succeeded only if the dump tool exited 0,
 * the stream ended cleanly, it carried at least one byte and every destination confirmed its copy; a destination
 * that confirmed holds a complete, restorable copy even when the run as a whole failed.
 *
 * @param digest  sha256 and size of the stored bytes (compressed, when compressed)
 * @param dumpBytes bytes the dump tool wrote (before compression)
 * @param failure why the run failed as a whole (the tool, the source stream, an empty dump), if it did
 */
public record BackupOutcome(BackupDigest digest, long dumpBytes, List<Destination> destinations,
                            Optional<String> failure) {

    /** One destination's result: confirmed with its location, or failed with why. */
    public record Destination(String location, boolean confirmed, Optional<String> failure) {
    }

    public boolean succeeded() {
        return failure.isEmpty() && !destinations.isEmpty() && destinations.stream().allMatch(Destination::confirmed);
    }

    /** The complete copies (restorable), whether or not the run succeeded. */
    public List<Destination> restorable() {
        return destinations.stream().filter(Destination::confirmed).toList();
    }

    /** Why the run failed, naming each destination that did not confirm; empty if it succeeded. */
    public Optional<String> describeFailure() {
        if (succeeded()) {
            return Optional.empty();
        }
        StringBuilder b = new StringBuilder(failure.orElse(""));
        for (Destination d : destinations) {
            if (!d.confirmed()) {
                b.append(b.isEmpty() ? "" : "; ").append(d.location()).append(": ").append(d.failure().orElse("failed"));
            }
        }
        if (b.isEmpty()) {
            b.append("no destination");
        }
        return Optional.of(b.toString());
    }
}
