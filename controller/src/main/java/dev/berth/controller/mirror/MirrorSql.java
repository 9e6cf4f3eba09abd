package dev.berth.controller.mirror;

import static dev.berth.controller.mirror.jooq.Tables.ACTIVITY_LOG;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATION_DEPLOYMENTS;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATION_DEPLOYMENT_LOGS;
import static dev.berth.controller.mirror.jooq.Tables.APPLICATION_ENVIRONMENT_VARIABLES;
import static dev.berth.controller.mirror.jooq.Tables.BACKUP_EXECUTIONS;
import static dev.berth.controller.mirror.jooq.Tables.ENVIRONMENTS;
import static dev.berth.controller.mirror.jooq.Tables.PRIVATE_KEYS;
import static dev.berth.controller.mirror.jooq.Tables.PROJECTS;
import static dev.berth.controller.mirror.jooq.Tables.SERVERS;
import static dev.berth.controller.mirror.jooq.Tables.STANDALONE_DATABASES;
import static dev.berth.controller.mirror.jooq.Tables.TEAMS;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.TableRecord;
import org.jooq.impl.DSL;

/**
 * The statements the mirror runs. Every one is idempotent, so a batch that is retried after an unknown outcome
 * (the connection dropped during commit) writes nothing twice: rows are keyed by uid or by an id chosen in Java,
 * inserted with ON CONFLICT, and state changes are guarded by the state they leave.
 */
final class MirrorSql {

    private MirrorSql() {
    }

    /**
     * Writes a resource's row and the rows it implies. {@code full}: insert or update (only if something changed,
     * so updated_at moves only then); otherwise insert if missing (history rows need their owner to exist).
     *
     * @return true when the resource's row was inserted or changed
     */
    static boolean writeResource(DSLContext tx, ResourceRows rows, boolean full) {
        // Tenancy and key rows: ON CONFLICT DO NOTHING without a target, because two reconcilers creating the first
        // resources of a namespace at once race on the name constraints too, not only on the (derived) ids.
        ensureTenancy(tx, rows.tenancy(), rowTime(rows));
        if (rows.privateKey() != null) {
            tx.insertInto(PRIVATE_KEYS).set(rows.privateKey()).onConflictDoNothing().execute();
        }
        MirrorKind kind = rows.kind();
        Table<?> t = kind.table();
        TableRecord<?> row = rows.row();
        Map<String, Object> byName = new LinkedHashMap<>();
        for (Field<?> f : row.fields()) {
            byName.put(f.getName(), row.get(f));
        }
        // References by name are resolved to ids now, against the rows as they are when written.
        if (t.field("server_id") != null) {
            byName.put("server_id", serverIdByName(rows.namespace(), rows.serverName()));
        }
        if (t.field("standalone_database_id") != null) {
            byName.put("standalone_database_id", databaseIdByName(rows.namespace(), rows.databaseName()));
        }
        Map<Field<?>, Object> values = new LinkedHashMap<>();
        byName.forEach((name, value) -> values.put(t.field(name), value));
        int changed;
        if (full) {
            Map<Field<?>, Field<?>> updates = new LinkedHashMap<>();
            List<Field<?>> current = new ArrayList<>();
            List<Field<?>> proposed = new ArrayList<>();
            for (Field<?> f : t.fields()) {
                if (f.equals(kind.id()) || f.equals(kind.createdAt())) {
                    continue;
                }
                Field<?> value = f.equals(kind.deletedAt()) && rows.deleting() ? f : DSL.excluded(f);
                updates.put(f, value);
                if (!f.equals(kind.updatedAt())) {
                    current.add(f);
                    proposed.add(value);
                }
            }
            changed = tx.insertInto(t).set(values)
                    .onConflict(kind.id()).doUpdate().set(updates)
                    .where(DSL.row(current).isDistinctFrom(DSL.row(proposed)))
                    .execute();
        } else {
            changed = tx.insertInto(t).set(values).onConflict(kind.id()).doNothing().execute();
        }
        if (changed > 0 && kind == MirrorKind.APPLICATION) {
            tx.deleteFrom(APPLICATION_ENVIRONMENT_VARIABLES)
                    .where(APPLICATION_ENVIRONMENT_VARIABLES.APPLICATION_ID.eq(rows.id()))
                    .execute();
            for (var envVar : rows.envVars()) {
                tx.insertInto(APPLICATION_ENVIRONMENT_VARIABLES).set(envVar).execute();
            }
        }
        return changed > 0;
    }

    private static OffsetDateTime rowTime(ResourceRows rows) {
        return rows.row().get(rows.kind().updatedAt());
    }

    private static void ensureTenancy(DSLContext tx, Tenancy tenancy, OffsetDateTime at) {
        tx.insertInto(TEAMS)
                .set(TEAMS.ID, tenancy.teamId())
                .set(TEAMS.NAME, tenancy.team())
                .set(TEAMS.CREATED_AT, at)
                .set(TEAMS.UPDATED_AT, at)
                .onConflictDoNothing()
                .execute();
        tx.insertInto(PROJECTS)
                .set(PROJECTS.ID, tenancy.projectId())
                .set(PROJECTS.TEAM_ID, tenancy.teamId())
                .set(PROJECTS.NAME, tenancy.project())
                .set(PROJECTS.CREATED_AT, at)
                .set(PROJECTS.UPDATED_AT, at)
                .onConflictDoNothing()
                .execute();
        tx.insertInto(ENVIRONMENTS)
                .set(ENVIRONMENTS.ID, tenancy.environmentId())
                .set(ENVIRONMENTS.PROJECT_ID, tenancy.projectId())
                .set(ENVIRONMENTS.NAME, tenancy.environment())
                .set(ENVIRONMENTS.CREATED_AT, at)
                .set(ENVIRONMENTS.UPDATED_AT, at)
                .onConflictDoNothing()
                .execute();
    }

    /** The live Server of that name in the namespace (the newest, should a deleted one linger). */
    static Field<UUID> serverIdByName(String namespace, String name) {
        if (name == null || name.isEmpty()) {
            return DSL.inline((UUID) null);
        }
        return DSL.field(DSL.select(SERVERS.ID).from(SERVERS)
                .where(SERVERS.NAMESPACE.eq(namespace), SERVERS.NAME.eq(name), SERVERS.DELETED_AT.isNull())
                .orderBy(SERVERS.CREATED_AT.desc())
                .limit(1));
    }

    static Field<UUID> databaseIdByName(String namespace, String name) {
        if (name == null || name.isEmpty()) {
            return DSL.inline((UUID) null);
        }
        return DSL.field(DSL.select(STANDALONE_DATABASES.ID).from(STANDALONE_DATABASES)
                .where(STANDALONE_DATABASES.NAMESPACE.eq(namespace), STANDALONE_DATABASES.NAME.eq(name),
                        STANDALONE_DATABASES.DELETED_AT.isNull())
                .orderBy(STANDALONE_DATABASES.CREATED_AT.desc())
                .limit(1));
    }

    /** The host a resource's changes happen on: the Server itself, the one it runs on, its database's. */
    static Field<UUID> serverIdOf(ResourceRows owner) {
        return switch (owner.kind()) {
            case SERVER -> DSL.inline(owner.id());
            case APPLICATION, STANDALONE_DATABASE -> serverIdByName(owner.namespace(), owner.serverName());
            case SCHEDULED_BACKUP -> owner.databaseName() == null ? DSL.inline((UUID) null)
                    : DSL.field(DSL.select(STANDALONE_DATABASES.SERVER_ID).from(STANDALONE_DATABASES)
                            .where(STANDALONE_DATABASES.NAMESPACE.eq(owner.namespace()),
                                    STANDALONE_DATABASES.NAME.eq(owner.databaseName()),
                                    STANDALONE_DATABASES.DELETED_AT.isNull())
                            .orderBy(STANDALONE_DATABASES.CREATED_AT.desc())
                            .limit(1));
        };
    }

    /** Sets deleted_at unless it is set already. */
    static void markDeleted(DSLContext tx, MirrorKind kind, UUID id, OffsetDateTime at) {
        tx.update(kind.table())
                .set(kind.deletedAt(), at)
                .set(kind.updatedAt(), at)
                .where(kind.id().eq(id), kind.deletedAt().isNull())
                .execute();
    }

    /**
     * Soft-deletes the kind's live rows whose uid is not among {@code live}, within {@code namespaces}
     * (empty: every namespace).
     */
    static int resync(DSLContext tx, MirrorKind kind, Collection<String> namespaces, Collection<UUID> live,
            OffsetDateTime at) {
        Condition vanished = live.isEmpty() ? DSL.trueCondition() : kind.id().notIn(live);
        Condition scope = namespaces.isEmpty() ? DSL.trueCondition() : kind.namespace().in(namespaces);
        return tx.update(kind.table())
                .set(kind.deletedAt(), at)
                .set(kind.updatedAt(), at)
                .where(kind.deletedAt().isNull(), scope, vanished)
                .execute();
    }

    static void insertActivity(DSLContext tx, UUID id, ResourceRows owner, String action, String detail,
            OffsetDateTime at) {
        writeResource(tx, owner, false);
        tx.insertInto(ACTIVITY_LOG)
                .set(ACTIVITY_LOG.ID, id)
                .set(ACTIVITY_LOG.TEAM_ID, owner.tenancy().teamId())
                .set(ACTIVITY_LOG.RESOURCE_KIND, owner.kind().kindName())
                .set(ACTIVITY_LOG.RESOURCE_ID, owner.id())
                .set(ACTIVITY_LOG.NAMESPACE, owner.namespace())
                .set(ACTIVITY_LOG.RESOURCE_NAME, owner.name())
                .set(ACTIVITY_LOG.SERVER_ID, serverIdOf(owner))
                .set(ACTIVITY_LOG.ACTION, action)
                .set(ACTIVITY_LOG.DETAIL, MirrorRows.text(detail))
                .set(ACTIVITY_LOG.OCCURRED_AT, at)
                .set(ACTIVITY_LOG.CREATED_AT, at)
                .onConflict(ACTIVITY_LOG.ID).doNothing()
                .execute();
    }

    static void recordPrivateKeyFingerprint(DSLContext tx, ResourceRows server, String fingerprint, OffsetDateTime at) {
        writeResource(tx, server, false);
        tx.update(PRIVATE_KEYS)
                .set(PRIVATE_KEYS.FINGERPRINT, fingerprint)
                .set(PRIVATE_KEYS.UPDATED_AT, at)
                .where(PRIVATE_KEYS.ID.eq(server.privateKey().getId()),
                        PRIVATE_KEYS.FINGERPRINT.isDistinctFrom(fingerprint))
                .execute();
    }

    static void insertDeployment(DSLContext tx, UUID id, ResourceRows app, String image, String reason,
            OffsetDateTime at) {
        writeResource(tx, app, false);
        tx.insertInto(APPLICATION_DEPLOYMENTS)
                .set(APPLICATION_DEPLOYMENTS.ID, id)
                .set(APPLICATION_DEPLOYMENTS.APPLICATION_ID, app.id())
                .set(APPLICATION_DEPLOYMENTS.TEAM_ID, app.tenancy().teamId())
                .set(APPLICATION_DEPLOYMENTS.SERVER_ID, serverIdOf(app))
                .set(APPLICATION_DEPLOYMENTS.STATUS, DeploymentStatus.QUEUED.value())
                .set(APPLICATION_DEPLOYMENTS.IMAGE, image)
                .set(APPLICATION_DEPLOYMENTS.GENERATION, app.row().get(app.kind().table().field("generation", Long.class)))
                .set(APPLICATION_DEPLOYMENTS.REASON, MirrorRows.text(reason))
                .set(APPLICATION_DEPLOYMENTS.QUEUED_AT, at)
                .set(APPLICATION_DEPLOYMENTS.CREATED_AT, at)
                .set(APPLICATION_DEPLOYMENTS.UPDATED_AT, at)
                .onConflict(APPLICATION_DEPLOYMENTS.ID).doNothing()
                .execute();
    }

    static void deploymentStarted(DSLContext tx, UUID id, OffsetDateTime at) {
        tx.update(APPLICATION_DEPLOYMENTS)
                .set(APPLICATION_DEPLOYMENTS.STATUS, DeploymentStatus.IN_PROGRESS.value())
                .set(APPLICATION_DEPLOYMENTS.STARTED_AT, at)
                .set(APPLICATION_DEPLOYMENTS.UPDATED_AT, at)
                .where(APPLICATION_DEPLOYMENTS.ID.eq(id),
                        APPLICATION_DEPLOYMENTS.STATUS.eq(DeploymentStatus.QUEUED.value()))
                .execute();
    }

    static void deploymentFinished(DSLContext tx, UUID id, DeploymentStatus outcome, String imageDigest,
            String message, OffsetDateTime at) {
        tx.update(APPLICATION_DEPLOYMENTS)
                .set(APPLICATION_DEPLOYMENTS.STATUS, outcome.value())
                .set(APPLICATION_DEPLOYMENTS.IMAGE_DIGEST,
                        DSL.coalesce(DSL.val(imageDigest, APPLICATION_DEPLOYMENTS.IMAGE_DIGEST),
                                APPLICATION_DEPLOYMENTS.IMAGE_DIGEST))
                .set(APPLICATION_DEPLOYMENTS.MESSAGE, MirrorRows.text(message))
                .set(APPLICATION_DEPLOYMENTS.FINISHED_AT, at)
                .set(APPLICATION_DEPLOYMENTS.UPDATED_AT, at)
                .where(APPLICATION_DEPLOYMENTS.ID.eq(id), APPLICATION_DEPLOYMENTS.STATUS.in(
                        DeploymentStatus.QUEUED.value(), DeploymentStatus.IN_PROGRESS.value()))
                .execute();
    }

    record LogLine(UUID id, long lineNo, OffsetDateTime at, String line) {
    }

    static void deploymentLog(DSLContext tx, UUID deploymentId, List<LogLine> lines) {
        var insert = tx.insertInto(APPLICATION_DEPLOYMENT_LOGS,
                APPLICATION_DEPLOYMENT_LOGS.ID, APPLICATION_DEPLOYMENT_LOGS.DEPLOYMENT_ID,
                APPLICATION_DEPLOYMENT_LOGS.LINE_NO, APPLICATION_DEPLOYMENT_LOGS.LOGGED_AT,
                APPLICATION_DEPLOYMENT_LOGS.LINE);
        for (LogLine l : lines) {
            insert = insert.values(l.id(), deploymentId, l.lineNo(), l.at(), MirrorRows.text(l.line()));
        }
        insert.onConflict(APPLICATION_DEPLOYMENT_LOGS.ID).doNothing().execute();
    }

    /** Closes the deployments queued before {@code cutoff} that never ended: their operator died. */
    static int closeStuckDeployments(DSLContext tx, OffsetDateTime cutoff, String message, OffsetDateTime at) {
        return tx.update(APPLICATION_DEPLOYMENTS)
                .set(APPLICATION_DEPLOYMENTS.STATUS, DeploymentStatus.FAILED.value())
                .set(APPLICATION_DEPLOYMENTS.MESSAGE, MirrorRows.text(message))
                .set(APPLICATION_DEPLOYMENTS.FINISHED_AT, at)
                .set(APPLICATION_DEPLOYMENTS.UPDATED_AT, at)
                .where(APPLICATION_DEPLOYMENTS.STATUS.in(
                                DeploymentStatus.QUEUED.value(), DeploymentStatus.IN_PROGRESS.value()),
                        APPLICATION_DEPLOYMENTS.QUEUED_AT.lt(cutoff))
                .execute();
    }

    static void insertBackupExecution(DSLContext tx, UUID id, ResourceRows backup, String trigger, OffsetDateTime at) {
        insertBackupExecution(tx, id, backup, trigger, BackupStatus.RUNNING, null, at.toInstant(), null, at);
    }

    /** A running execution ({@code message} null), or a slot not run (skipped, missed: finished when recorded). */
    static void insertBackupExecution(DSLContext tx, UUID id, ResourceRows backup, String trigger, BackupStatus status,
            Instant slot, Instant startedAt, String message, OffsetDateTime at) {
        writeResource(tx, backup, false);
        tx.insertInto(BACKUP_EXECUTIONS)
                .set(BACKUP_EXECUTIONS.ID, id)
                .set(BACKUP_EXECUTIONS.SCHEDULED_BACKUP_ID, backup.id())
                .set(BACKUP_EXECUTIONS.STANDALONE_DATABASE_ID, databaseIdByName(backup.namespace(), backup.databaseName()))
                .set(BACKUP_EXECUTIONS.TEAM_ID, backup.tenancy().teamId())
                .set(BACKUP_EXECUTIONS.STATUS, status.value())
                .set(BACKUP_EXECUTIONS.TRIGGER_KIND, trigger)
                .set(BACKUP_EXECUTIONS.SLOT_TIME, slot == null ? null : slot.atOffset(ZoneOffset.UTC))
                .set(BACKUP_EXECUTIONS.STARTED_AT, startedAt.atOffset(ZoneOffset.UTC))
                .set(BACKUP_EXECUTIONS.MESSAGE, message == null ? null : MirrorRows.text(message))
                .set(BACKUP_EXECUTIONS.FINISHED_AT, status == BackupStatus.RUNNING ? null : at)
                .set(BACKUP_EXECUTIONS.CREATED_AT, at)
                .set(BACKUP_EXECUTIONS.UPDATED_AT, at)
                .onConflict(BACKUP_EXECUTIONS.ID).doNothing()
                .execute();
    }

    static void backupFinished(DSLContext tx, UUID id, BackupExecutionEnd end, OffsetDateTime at) {
        tx.update(BACKUP_EXECUTIONS)
                .set(BACKUP_EXECUTIONS.STATUS, end.status().value())
                .set(BACKUP_EXECUTIONS.REASON, end.reason())
                .set(BACKUP_EXECUTIONS.SIZE_BYTES, end.sizeBytes())
                .set(BACKUP_EXECUTIONS.SHA256, end.sha256() == null || end.sha256().isEmpty() ? null : end.sha256())
                .set(BACKUP_EXECUTIONS.LOCATION, end.location() == null ? null
                        : MirrorRows.text(MirrorRows.withoutUserInfo(end.location())))
                .set(BACKUP_EXECUTIONS.RESTORABLE_LOCATIONS, end.restorableLocations().isEmpty() ? null
                        : MirrorRows.text(String.join("\n", end.restorableLocations().stream()
                                .map(MirrorRows::withoutUserInfo).toList())))
                .set(BACKUP_EXECUTIONS.VERIFIED, end.verified() == null ? null : MirrorRows.text(end.verified()))
                .set(BACKUP_EXECUTIONS.MESSAGE, end.message() == null ? null : MirrorRows.text(end.message()))
                .set(BACKUP_EXECUTIONS.FINISHED_AT, at)
                .set(BACKUP_EXECUTIONS.UPDATED_AT, at)
                .where(BACKUP_EXECUTIONS.ID.eq(id), BACKUP_EXECUTIONS.STATUS.eq(BackupStatus.RUNNING.value()))
                .execute();
    }

    /** Appends "location: why" to the row's deletions; deleted_at is when the last copy went. */
    static void backupCopyDeleted(DSLContext tx, UUID id, String location, String why, OffsetDateTime at) {
        String entry = MirrorRows.text(MirrorRows.withoutUserInfo(location) + ": " + why);
        tx.update(BACKUP_EXECUTIONS)
                .set(BACKUP_EXECUTIONS.DELETIONS, DSL.when(BACKUP_EXECUTIONS.DELETIONS.isNull(), DSL.val(entry))
                        .otherwise(BACKUP_EXECUTIONS.DELETIONS.concat(DSL.val("\n" + entry))))
                .set(BACKUP_EXECUTIONS.DELETED_AT, at)
                .set(BACKUP_EXECUTIONS.UPDATED_AT, at)
                .where(BACKUP_EXECUTIONS.ID.eq(id))
                .execute();
    }

    static void backupFinished(DSLContext tx, UUID id, BackupStatus outcome, Long sizeBytes, String location,
            String message, OffsetDateTime at) {
        tx.update(BACKUP_EXECUTIONS)
                .set(BACKUP_EXECUTIONS.STATUS, outcome.value())
                .set(BACKUP_EXECUTIONS.SIZE_BYTES, sizeBytes)
                .set(BACKUP_EXECUTIONS.LOCATION, location == null ? null : MirrorRows.text(MirrorRows.withoutUserInfo(location)))
                .set(BACKUP_EXECUTIONS.MESSAGE, MirrorRows.text(message))
                .set(BACKUP_EXECUTIONS.FINISHED_AT, at)
                .set(BACKUP_EXECUTIONS.UPDATED_AT, at)
                .where(BACKUP_EXECUTIONS.ID.eq(id), BACKUP_EXECUTIONS.STATUS.eq(BackupStatus.RUNNING.value()))
                .execute();
    }
}
