package dev.berth.controller.mirror;

import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jooq.DSLContext;

/**
 * The writes that have not reached PostgreSQL yet: the newest state per resource, the newest re-sync per kind,
 * and every history row in the order it was made. Thread-safe; holds no connection.
 */
final class PendingWrites {

    /** Log lines are also in Redis while a deployment runs; past this many pending lines new ones are dropped. */
    static final int MAX_PENDING_LOG_LINES = 200_000;

    /** One write; {@link #apply} runs inside a transaction and is idempotent. */
    sealed interface Write permits ResourceWrite, ResyncWrite, HistoryWrite {
        void apply(DSLContext tx);

        /** What it is, for a log line: kind, name, uid; never values. */
        String describe();
    }

    /**
     * A resource's state: its row ({@code full}: upsert it; otherwise only make sure it exists) and, when
     * {@code deletedAt} is set, its soft deletion.
     */
    record ResourceWrite(ResourceRows rows, boolean full, OffsetDateTime deletedAt) implements Write {

        /** This (newer) state merged over an older one of the same resource. */
        ResourceWrite over(ResourceWrite older) {
            ResourceRows mergedRows = full || !older.full ? rows : older.rows;
            OffsetDateTime mergedDeletedAt = deletedAt != null ? deletedAt
                    : full && !rows.deleting() ? null
                    : older.deletedAt;
            return new ResourceWrite(mergedRows, full || older.full, mergedDeletedAt);
        }

        boolean keepsAlive() {
            return full && !rows.deleting() && deletedAt == null;
        }

        @Override
        public void apply(DSLContext tx) {
            MirrorSql.writeResource(tx, rows, full);
            if (deletedAt != null) {
                MirrorSql.markDeleted(tx, rows.kind(), rows.id(), deletedAt);
            }
        }

        @Override
        public String describe() {
            return (deletedAt != null ? "delete " : full ? "upsert " : "ensure ") + rows.describe();
        }
    }

    /** Soft-delete the kind's rows in {@code namespaces} (empty: all) whose uid is not in {@code live}. */
    record ResyncWrite(MirrorKind kind, Set<String> namespaces, Set<UUID> live, OffsetDateTime at) implements Write {
        @Override
        public void apply(DSLContext tx) {
            MirrorSql.resync(tx, kind, namespaces, live, at);
        }

        @Override
        public String describe() {
            return "resync " + kind.kindName() + " (" + live.size() + " live)";
        }
    }

    /** A history row (deployment, log lines, backup execution, activity) or a change to one. */
    record HistoryWrite(String description, int logLines, Consumer<DSLContext> statement) implements Write {
        @Override
        public void apply(DSLContext tx) {
            statement.accept(tx);
        }

        @Override
        public String describe() {
            return description;
        }
    }

    private final Map<UUID, ResourceWrite> resources = new LinkedHashMap<>();
    private final Map<MirrorKind, ResyncWrite> resyncs = new EnumMap<>(MirrorKind.class);
    private final ArrayDeque<HistoryWrite> history = new ArrayDeque<>();
    private int pendingLogLines;
    private long droppedLogLines;

    /** Adds a write; false when it was dropped (log lines beyond {@link #MAX_PENDING_LOG_LINES}). */
    synchronized boolean add(Write write) {
        if (write instanceof ResourceWrite r) {
            resources.merge(r.rows().id(), r, (older, newer) -> newer.over(older));
            ResyncWrite resync = resyncs.get(r.rows().kind());
            if (resync != null && r.keepsAlive()) {
                resync.live().add(r.rows().id());
            }
        } else if (write instanceof ResyncWrite s) {
            resyncs.put(s.kind(), new ResyncWrite(s.kind(), s.namespaces(), new HashSet<>(s.live()), s.at()));
        } else if (write instanceof HistoryWrite h) {
            if (h.logLines() > 0 && pendingLogLines + h.logLines() > MAX_PENDING_LOG_LINES) {
                droppedLogLines += h.logLines();
                return false;
            }
            pendingLogLines += h.logLines();
            history.addLast(h);
        }
        return true;
    }

    /**
     * Takes up to {@code max} resource states and history rows and every re-sync, in the order they must be
     * written: resources, then re-syncs, then history.
     */
    synchronized List<Write> drain(int max) {
        List<Write> batch = new ArrayList<>();
        Iterator<ResourceWrite> it = resources.values().iterator();
        for (int n = 0; n < max && it.hasNext(); n++) {
            batch.add(it.next());
            it.remove();
        }
        batch.addAll(resyncs.values());
        resyncs.clear();
        for (int n = 0; n < max && !history.isEmpty(); n++) {
            HistoryWrite h = history.removeFirst();
            pendingLogLines -= h.logLines();
            batch.add(h);
        }
        return batch;
    }

    /** Puts back writes that could not be made, under anything newer that arrived meanwhile. */
    synchronized void restore(List<Write> writes) {
        List<HistoryWrite> restoredHistory = new ArrayList<>();
        for (Write w : writes) {
            if (w instanceof ResourceWrite r) {
                resources.merge(r.rows().id(), r, (newer, older) -> newer.over(older));
            } else if (w instanceof ResyncWrite s) {
                resyncs.putIfAbsent(s.kind(), s);
            } else if (w instanceof HistoryWrite h) {
                restoredHistory.add(h);
            }
        }
        // A resource upserted while its kind's re-sync was being written is alive: the re-sync must spare it.
        for (ResyncWrite s : resyncs.values()) {
            resources.values().stream()
                    .filter(r -> r.rows().kind() == s.kind() && r.keepsAlive())
                    .forEach(r -> s.live().add(r.rows().id()));
        }
        for (ListIterator<HistoryWrite> back = restoredHistory.listIterator(restoredHistory.size()); back.hasPrevious(); ) {
            HistoryWrite h = back.previous();
            pendingLogLines += h.logLines();
            history.addFirst(h);
        }
    }

    synchronized boolean isEmpty() {
        return resources.isEmpty() && resyncs.isEmpty() && history.isEmpty();
    }

    synchronized int size() {
        return resources.size() + resyncs.size() + history.size();
    }

    synchronized long droppedLogLines() {
        return droppedLogLines;
    }
}
