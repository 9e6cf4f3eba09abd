package dev.berth.controller.backup.store;

import java.util.List;
import java.util.Optional;

/**
 * The sizes of a multipart upload's parts, and how many go at once. S3 takes at most {@value #S3_MAX_PARTS} parts per
 * upload, and the dump's size is not known until it ends: fixed 5 MiB parts would stop a backup at 48.8 GiB. So the
 * parts grow as the upload does, and fewer go at once when they are large, which keeps the memory of one upload
 * bounded: {@link #STANDARD} holds at most 20 MiB for the first 9.8 GiB and 40 MiB beyond, up to 146.5 GiB.
 *
 * @param steps    from which part number on which size and how many in flight; the first starts at part 1
 * @param maxParts the last part number the storage takes
 */
public record PartPlan(List<Step> steps, int maxParts) {
    public static final int S3_MAX_PARTS = 10_000;
    private static final int MIB = 1024 * 1024;

    /** 5 MiB parts, three in flight (20 MiB); from part 2 001, 10 MiB, three (40 MiB); from part 4 001, 20 MiB, one. */
    public static final PartPlan STANDARD = new PartPlan(List.of(
            new Step(1, S3Storage.MIN_PART_SIZE, 3),
            new Step(2_001, 10 * MIB, 3),
            new Step(4_001, 20 * MIB, 1)), S3_MAX_PARTS);

    /**
     * @param fromPart the first part number this step applies to
     * @param size     bytes per part (the last part of an upload may be smaller)
     * @param inFlight parts uploading at once while the next one fills
     */
    public record Step(int fromPart, int size, int inFlight) {
    }

    public PartPlan {
        steps = List.copyOf(steps);
        if (steps.isEmpty() || steps.get(0).fromPart() != 1) {
            throw new IllegalArgumentException("the first step starts at part 1");
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.size() < S3Storage.MIN_PART_SIZE || s.inFlight() < 1) {
                throw new IllegalArgumentException("S3 parts are at least 5 MiB, and at least one goes at a time");
            }
            if (i > 0 && s.fromPart() <= steps.get(i - 1).fromPart()) {
                throw new IllegalArgumentException("steps go up in part number");
            }
        }
        if (maxParts < 1 || maxParts > S3_MAX_PARTS) {
            throw new IllegalArgumentException("S3 takes 1 to " + S3_MAX_PARTS + " parts");
        }
    }

    /** The step part {@code number} belongs to; empty past {@link #maxParts}. */
    public Optional<Step> at(int number) {
        if (number < 1 || number > maxParts) {
            return Optional.empty();
        }
        Step found = steps.get(0);
        for (Step s : steps) {
            if (s.fromPart() <= number) {
                found = s;
            }
        }
        return Optional.of(found);
    }

    /** The most one upload can hold: every part up to {@link #maxParts} at its full size. */
    public long maxBytes() {
        long total = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            int last = i + 1 < steps.size() ? Math.min(maxParts, steps.get(i + 1).fromPart() - 1) : maxParts;
            if (last >= s.fromPart()) {
                total += (long) (last - s.fromPart() + 1) * s.size();
            }
        }
        return total;
    }

    /** The most part-buffer memory one upload holds at once: the parts in flight and the one filling, per step. */
    public long maxBufferBytes() {
        return steps.stream().mapToLong(s -> (long) (s.inFlight() + 1) * s.size()).max().orElseThrow();
    }

    /** The largest number of parts in flight at once (the upload's threads). */
    int maxInFlight() {
        return steps.stream().mapToInt(Step::inFlight).max().orElseThrow();
    }
}
