package dev.berth.controller.mirror;

import static dev.berth.controller.mirror.jooq.Tables.APPLICATIONS;
import static dev.berth.controller.mirror.jooq.Tables.SCHEDULED_BACKUPS;
import static dev.berth.controller.mirror.jooq.Tables.SERVERS;
import static dev.berth.controller.mirror.jooq.Tables.STANDALONE_DATABASES;

import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.TableRecord;

/** The four mirrored kinds, each with its table. Every resource table has the same leading columns. */
enum MirrorKind {
    SERVER(Server.class, SERVERS),
    APPLICATION(Application.class, APPLICATIONS),
    STANDALONE_DATABASE(StandaloneDatabase.class, STANDALONE_DATABASES),
    SCHEDULED_BACKUP(ScheduledBackup.class, SCHEDULED_BACKUPS);

    private final Class<? extends HasMetadata> type;
    private final Table<? extends TableRecord<?>> table;

    MirrorKind(Class<? extends HasMetadata> type, Table<? extends TableRecord<?>> table) {
        this.type = type;
        this.table = table;
    }

    static Optional<MirrorKind> of(Class<?> type) {
        return Arrays.stream(values()).filter(k -> k.type.isAssignableFrom(type)).findFirst();
    }

    /** The kind's name as Kubernetes spells it (Server, Application, ...). */
    String kindName() {
        return type.getSimpleName();
    }

    Table<? extends TableRecord<?>> table() {
        return table;
    }

    Field<UUID> id() {
        return table.field("id", UUID.class);
    }

    Field<String> namespace() {
        return table.field("namespace", String.class);
    }

    Field<OffsetDateTime> createdAt() {
        return table.field("created_at", OffsetDateTime.class);
    }

    Field<OffsetDateTime> updatedAt() {
        return table.field("updated_at", OffsetDateTime.class);
    }

    Field<OffsetDateTime> deletedAt() {
        return table.field("deleted_at", OffsetDateTime.class);
    }
}
