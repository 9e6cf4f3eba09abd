package dev.berth.controller.mirror;

import dev.berth.controller.mirror.jooq.tables.records.ApplicationEnvironmentVariablesRecord;
import dev.berth.controller.mirror.jooq.tables.records.PrivateKeysRecord;
import java.util.List;
import java.util.UUID;
import org.jooq.TableRecord;

/**
 * What one resource becomes in the mirror: its own row and the rows it implies (its team, project and environment,
 * a private key reference, environment variables). Built by {@link MirrorRows} without any I/O.
 *
 * @param row          the resource table's record, every column set (server_id and standalone_database_id, which
 *                     need a look-up by name, are resolved when written)
 * @param serverName   the referenced Server's name, or null
 * @param databaseName the referenced StandaloneDatabase's name, or null
 * @param privateKey   the Server's private key reference, or null
 * @param envVars      the Application's environment variables (names and sources only), or empty
 * @param deleting     the resource has a deletionTimestamp: an upsert must not clear deleted_at
 */
record ResourceRows(
        MirrorKind kind,
        UUID id,
        String namespace,
        String name,
        Tenancy tenancy,
        TableRecord<?> row,
        String serverName,
        String databaseName,
        PrivateKeysRecord privateKey,
        List<ApplicationEnvironmentVariablesRecord> envVars,
        boolean deleting) {

    /** "Kind namespace/name (uid)" for log lines. */
    String describe() {
        return kind.kindName() + " " + namespace + "/" + name + " (" + id + ")";
    }
}
