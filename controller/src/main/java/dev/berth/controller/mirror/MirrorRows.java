package dev.berth.controller.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.api.v1alpha1.Application;
import dev.berth.api.v1alpha1.ApplicationSpec;
import dev.berth.api.v1alpha1.ApplicationStatus;
import dev.berth.api.v1alpha1.BerthStatus;
import dev.berth.api.v1alpha1.Condition;
import dev.berth.api.v1alpha1.LocalRef;
import dev.berth.api.v1alpha1.ScheduledBackup;
import dev.berth.api.v1alpha1.ScheduledBackupSpec;
import dev.berth.api.v1alpha1.ScheduledBackupStatus;
import dev.berth.api.v1alpha1.SecretKeyRef;
import dev.berth.api.v1alpha1.Server;
import dev.berth.api.v1alpha1.ServerSpec;
import dev.berth.api.v1alpha1.ServerStatus;
import dev.berth.api.v1alpha1.StandaloneDatabase;
import dev.berth.api.v1alpha1.StandaloneDatabaseSpec;
import dev.berth.api.v1alpha1.StandaloneDatabaseStatus;
import dev.berth.controller.mirror.jooq.tables.records.ApplicationEnvironmentVariablesRecord;
import dev.berth.controller.mirror.jooq.tables.records.ApplicationsRecord;
import dev.berth.controller.mirror.jooq.tables.records.PrivateKeysRecord;
import dev.berth.controller.mirror.jooq.tables.records.ScheduledBackupsRecord;
import dev.berth.controller.mirror.jooq.tables.records.ServersRecord;
import dev.berth.controller.mirror.jooq.tables.records.StandaloneDatabasesRecord;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.net.URI;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jooq.JSONB;
import org.jooq.TableRecord;

/**
 * Maps Berth's resources to mirror rows. Pure: no I/O, no clock (the caller passes "now").
 *
 * <p>Secrets: the mirror never sees a Secret's content, but a spec can still carry sensitive literals. So:
 * <ul>
 *   <li>Environment variables are stored as names and source kinds only ({@code value}, {@code secret},
 *       {@code configmap}) plus the referenced object's name and key. Literal values are not stored either: people
 *       put passwords in them, and "no secret in the mirror" should not depend on their discipline.</li>
 *   <li>Engine settings ({@code StandaloneDatabase.spec.config}) whose key looks like a credential
 *       ({@code requirepass}, {@code *password*}, {@code *secret*}, {@code *token*}, ...) have their value
 *       replaced by {@value #REDACTED}.</li>
 *   <li>User info in URLs (an S3 endpoint {@code https://key:secret@host}) is removed.</li>
 *   <li>As a last guard, any string field anywhere in spec or status whose name looks like a credential is
 *       replaced by {@value #REDACTED}. References ({@code *SecretRef}, {@code secretKeyRef}) are objects and kept.</li>
 *   <li>Annotations are not stored at all ({@code kubectl.kubernetes.io/last-applied-configuration} repeats the
 *       whole spec, literal values included).</li>
 * </ul>
 */
final class MirrorRows {

    static final String REDACTED = "<redacted>";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** Field names whose string values are credentials. */
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i).*(password|passwd|passphrase|secret|token|credential|private[_-]?key|api[_-]?key|access[_-]?key).*");

    /** Field names that look like credentials but name or locate one (credentialsSecretName, secretKeyRef, ...). */
    private static final Pattern REFERENCE_FIELD = Pattern.compile(
            "(?i).*(ref|secretname|secretkey|fingerprint|policy)$");

    /** Engine setting names whose values are credentials (Redis' requirepass, masterauth, ...). */
    private static final Pattern SECRET_SETTING = Pattern.compile(
            "(?i).*(pass|secret|token|credential|auth|key).*");

    private MirrorRows() {
    }

    /**
     * The rows of one resource.
     *
     * @throws IllegalArgumentException when the resource is not a mirrored kind or has no uid (never quoting values)
     */
    static ResourceRows of(HasMetadata resource, OffsetDateTime now) {
        MirrorKind kind = MirrorKind.of(resource.getClass())
                .orElseThrow(() -> new IllegalArgumentException("not a mirrored kind: " + resource.getKind()));
        ObjectMeta meta = resource.getMetadata();
        UUID id = uid(resource);
        Tenancy tenancy = Tenancy.of(resource);
        boolean deleting = meta.getDeletionTimestamp() != null;
        return switch (kind) {
            case SERVER -> server((Server) resource, id, tenancy, now, deleting);
            case APPLICATION -> application((Application) resource, id, tenancy, now, deleting);
            case STANDALONE_DATABASE -> database((StandaloneDatabase) resource, id, tenancy, now, deleting);
            case SCHEDULED_BACKUP -> backup((ScheduledBackup) resource, id, tenancy, now, deleting);
        };
    }

    static UUID uid(HasMetadata resource) {
        String uid = resource.getMetadata() == null ? null : resource.getMetadata().getUid();
        if (uid == null || uid.isBlank()) {
            throw new IllegalArgumentException(resource.getKind() + " " + name(resource) + " has no metadata.uid yet");
        }
        try {
            return UUID.fromString(uid);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(resource.getKind() + " " + name(resource) + " has a metadata.uid that is not a UUID");
        }
    }

    private static String name(HasMetadata resource) {
        ObjectMeta meta = resource.getMetadata();
        return meta == null ? "?" : meta.getNamespace() + "/" + meta.getName();
    }

    private static ResourceRows server(Server server, UUID id, Tenancy tenancy, OffsetDateTime now, boolean deleting) {
        ServerSpec spec = server.getSpec() == null ? new ServerSpec() : server.getSpec();
        ServerStatus status = server.getStatus();
        ServersRecord row = new ServersRecord();
        common(row, server, id, tenancy, now, spec, status);
        PrivateKeysRecord key = null;
        SecretKeyRef keyRef = spec.getPrivateKeySecretRef();
        if (keyRef != null && keyRef.getName() != null) {
            String secretKey = keyRef.getKey() == null || keyRef.getKey().isBlank() ? "ssh-privatekey" : keyRef.getKey();
            key = new PrivateKeysRecord();
            key.setId(Tenancy.privateKeyId(tenancy.team(), keyRef.getName(), secretKey));
            key.setTeamId(tenancy.teamId());
            key.setSecretName(keyRef.getName());
            key.setSecretKey(secretKey);
            key.setFingerprint(null);
            key.setCreatedAt(now);
            key.setUpdatedAt(now);
            row.setPrivateKeyId(key.getId());
        } else {
            row.setPrivateKeyId(null);
        }
        row.setHost(orEmpty(spec.getHost()));
        row.setPort(spec.getPort() == null ? 22 : spec.getPort());
        row.setSshUser(spec.getUser() == null ? "root" : spec.getUser());
        row.setHostKeyPolicy(spec.getHostKey() == null || spec.getHostKey().getPolicy() == null
                ? null : spec.getHostKey().getPolicy().name());
        row.setHostKeyFingerprint(status != null && status.getHostKeyFingerprint() != null
                ? status.getHostKeyFingerprint()
                : spec.getHostKey() == null ? null : spec.getHostKey().getFingerprint());
        row.setNetwork(spec.getNetwork());
        row.setSuspended(Boolean.TRUE.equals(spec.getSuspend()));
        row.setDockerVersion(status == null ? null : status.getDockerVersion());
        row.setOs(status == null ? null : status.getOs());
        row.setArchitecture(status == null ? null : status.getArchitecture());
        row.setCpus(status == null ? null : status.getCpus());
        row.setMemoryBytes(status == null ? null : status.getMemoryBytes());
        row.setLastCheckAt(status == null ? null : time(status.getLastCheckTime()));
        row.setConsecutiveFailures(status == null ? null : status.getConsecutiveFailures());
        return rows(MirrorKind.SERVER, server, id, tenancy, row, null, null, key, List.of(), deleting);
    }

    private static ResourceRows application(Application app, UUID id, Tenancy tenancy, OffsetDateTime now, boolean deleting) {
        ApplicationSpec spec = app.getSpec() == null ? new ApplicationSpec() : app.getSpec();
        ApplicationStatus status = app.getStatus();
        ApplicationsRecord row = new ApplicationsRecord();
        ObjectNode specJson = JSON.valueToTree(spec);
        specJson.set("env", envWithoutValues(spec.getEnv()));
        common(row, app, id, tenancy, now, specJson, status);
        String serverName = refName(spec.getServerRef());
        row.setServerId(null);
        row.setServerName(orEmpty(serverName));
        row.setImage(orEmpty(spec.getImage()));
        row.setReplicas(spec.getReplicas() == null ? 1 : spec.getReplicas());
        row.setSuspended(Boolean.TRUE.equals(spec.getSuspend()));
        row.setCurrentImage(status == null ? null : status.getCurrentImage());
        row.setImageDigest(status == null ? null : status.getImageDigest());
        row.setLastDeploymentId(status == null ? null : uuidOrNull(status.getLastDeployment()));
        return rows(MirrorKind.APPLICATION, app, id, tenancy, row, serverName, null, null, envVars(id, spec), deleting);
    }

    private static ResourceRows database(StandaloneDatabase db, UUID id, Tenancy tenancy, OffsetDateTime now,
            boolean deleting) {
        StandaloneDatabaseSpec spec = db.getSpec() == null ? new StandaloneDatabaseSpec() : db.getSpec();
        StandaloneDatabaseStatus status = db.getStatus();
        StandaloneDatabasesRecord row = new StandaloneDatabasesRecord();
        Map<String, String> settings = settings(spec.getConfig());
        ObjectNode specJson = JSON.valueToTree(spec);
        specJson.set("config", JSON.valueToTree(settings));
        common(row, db, id, tenancy, now, specJson, status);
        String serverName = refName(spec.getServerRef());
        row.setServerId(null);
        row.setServerName(orEmpty(serverName));
        row.setEngine(spec.getEngine() == null ? "" : JSON.valueToTree(spec.getEngine()).asText());
        row.setImage(status != null && status.getImage() != null ? status.getImage() : spec.getImage());
        row.setEngineVersion(status == null ? null : status.getEngineVersion());
        row.setDatabaseName(spec.getDatabaseName());
        row.setUsername(spec.getUsername());
        row.setCredentialsSecretName(status != null && status.getCredentialsSecretName() != null
                ? status.getCredentialsSecretName() : refName(spec.getCredentialsSecretRef()));
        row.setSettings(json(JSON.valueToTree(settings)));
        row.setVolumeName(status != null && status.getVolumeName() != null ? status.getVolumeName()
                : spec.getStorage() == null ? null : spec.getStorage().getVolumeName());
        row.setDeletionPolicy(spec.getStorage() == null || spec.getStorage().getDeletionPolicy() == null
                ? null : spec.getStorage().getDeletionPolicy().name());
        row.setPublicPort(spec.getPublicPort());
        row.setSuspended(Boolean.TRUE.equals(spec.getSuspend()));
        row.setConnectionHost(status == null ? null : status.getHost());
        row.setConnectionPort(status == null ? null : status.getPort());
        row.setContainerId(status == null ? null : status.getContainerId());
        return rows(MirrorKind.STANDALONE_DATABASE, db, id, tenancy, row, serverName, null, null, List.of(), deleting);
    }

    private static ResourceRows backup(ScheduledBackup backup, UUID id, Tenancy tenancy, OffsetDateTime now,
            boolean deleting) {
        ScheduledBackupSpec spec = backup.getSpec() == null ? new ScheduledBackupSpec() : backup.getSpec();
        ScheduledBackupStatus status = backup.getStatus();
        ScheduledBackupsRecord row = new ScheduledBackupsRecord();
        ObjectNode specJson = JSON.valueToTree(spec);
        ScheduledBackupSpec.S3Destination s3 = spec.getDestination() == null ? null : spec.getDestination().getS3();
        if (s3 != null && specJson.path("destination").path("s3") instanceof ObjectNode s3Json && s3.getEndpoint() != null) {
            s3Json.put("endpoint", withoutUserInfo(s3.getEndpoint()));
        }
        common(row, backup, id, tenancy, now, specJson, status);
        String databaseName = refName(spec.getDatabaseRef());
        row.setStandaloneDatabaseId(null);
        row.setDatabaseName(orEmpty(databaseName));
        row.setSchedule(orEmpty(spec.getSchedule()));
        row.setTimeZone(spec.getTimeZone());
        row.setSuspended(Boolean.TRUE.equals(spec.getSuspend()));
        row.setS3Endpoint(s3 == null || s3.getEndpoint() == null ? null : withoutUserInfo(s3.getEndpoint()));
        row.setS3Bucket(s3 == null ? null : s3.getBucket());
        row.setS3CredentialsSecret(s3 == null ? null : refName(s3.getCredentialsSecretRef()));
        row.setHostPath(spec.getDestination() == null || spec.getDestination().getHost() == null
                ? null : spec.getDestination().getHost().getPath());
        row.setLastScheduleAt(status == null ? null : time(status.getLastScheduleTime()));
        row.setNextScheduleAt(status == null ? null : time(status.getNextScheduleTime()));
        row.setLastSuccessfulAt(status == null ? null : time(status.getLastSuccessfulTime()));
        return rows(MirrorKind.SCHEDULED_BACKUP, backup, id, tenancy, row, null, databaseName, null, List.of(), deleting);
    }

    private static ResourceRows rows(MirrorKind kind, HasMetadata resource, UUID id, Tenancy tenancy, TableRecord<?> row,
            String serverName, String databaseName, PrivateKeysRecord key,
            List<ApplicationEnvironmentVariablesRecord> envVars, boolean deleting) {
        row.changed(true);
        return new ResourceRows(kind, id, resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
                tenancy, row, serverName, databaseName, key, envVars, deleting);
    }

    /** The columns every resource table shares. */
    private static void common(TableRecord<?> row, HasMetadata resource, UUID id, Tenancy tenancy, OffsetDateTime now,
            Object spec, BerthStatus status) {
        MirrorKind kind = MirrorKind.of(resource.getClass()).orElseThrow();
        var t = kind.table();
        ObjectMeta meta = resource.getMetadata();
        row.set(t.field("id", UUID.class), id);
        row.set(t.field("team_id", UUID.class), tenancy.teamId());
        row.set(t.field("project_id", UUID.class), tenancy.projectId());
        row.set(t.field("environment_id", UUID.class), tenancy.environmentId());
        row.set(t.field("namespace", String.class), meta.getNamespace());
        row.set(t.field("name", String.class), meta.getName());
        row.set(t.field("generation", Long.class), meta.getGeneration());
        row.set(t.field("observed_generation", Long.class), status == null ? null : status.getObservedGeneration());
        row.set(t.field("ready", String.class), status == null ? null
                : status.condition(dev.berth.api.v1alpha1.Berth.CONDITION_READY).map(Condition::getStatus).orElse(null));
        row.set(t.field("state", String.class), status == null ? null : status.getState());
        row.set(t.field("labels", JSONB.class), json(JSON.valueToTree(
                meta.getLabels() == null ? Map.of() : new TreeMap<>(meta.getLabels()))));
        row.set(t.field("spec", JSONB.class), json(spec instanceof JsonNode node ? node : JSON.valueToTree(spec)));
        row.set(t.field("status", JSONB.class), status == null ? null : json(JSON.valueToTree(status)));
        row.set(t.field("k8s_created_at", OffsetDateTime.class), time(meta.getCreationTimestamp()));
        row.set(t.field("created_at", OffsetDateTime.class), now);
        row.set(t.field("updated_at", OffsetDateTime.class), now);
        row.set(t.field("deleted_at", OffsetDateTime.class), null);
    }

    /** The spec's env without literal values: name, source kind, and the reference. */
    static ArrayNode envWithoutValues(List<ApplicationSpec.EnvVar> env) {
        ArrayNode out = JSON.createArrayNode();
        if (env == null) {
            return out;
        }
        for (ApplicationSpec.EnvVar var : env) {
            ObjectNode o = out.addObject();
            o.put("name", var.getName());
            ApplicationSpec.EnvVarSource from = var.getValueFrom();
            if (from != null && from.getSecretKeyRef() != null) {
                o.put("source", "secret");
                o.set("secretKeyRef", JSON.valueToTree(from.getSecretKeyRef()));
            } else if (from != null && from.getConfigMapKeyRef() != null) {
                o.put("source", "configmap");
                o.set("configMapKeyRef", JSON.valueToTree(from.getConfigMapKeyRef()));
            } else {
                o.put("source", "value");
            }
        }
        return out;
    }

    static List<ApplicationEnvironmentVariablesRecord> envVars(UUID appId, ApplicationSpec spec) {
        List<ApplicationEnvironmentVariablesRecord> out = new ArrayList<>();
        int position = 0;
        for (ApplicationSpec.EnvVar var : spec.getEnv() == null ? List.<ApplicationSpec.EnvVar>of() : spec.getEnv()) {
            ApplicationSpec.EnvVarSource from = var.getValueFrom();
            SecretKeyRef ref = from == null ? null
                    : from.getSecretKeyRef() != null ? from.getSecretKeyRef() : from.getConfigMapKeyRef();
            String source = from == null || ref == null ? "value" : from.getSecretKeyRef() != null ? "secret" : "configmap";
            out.add(envVar(appId, position++, var.getName(), source, false,
                    ref == null ? null : ref.getName(), ref == null ? null : ref.getKey(), null));
        }
        for (ApplicationSpec.EnvFromSource from : spec.getEnvFrom() == null
                ? List.<ApplicationSpec.EnvFromSource>of() : spec.getEnvFrom()) {
            boolean secret = from.getSecretRef() != null;
            LocalRef ref = secret ? from.getSecretRef() : from.getConfigMapRef();
            out.add(envVar(appId, position++, null, secret ? "secret" : "configmap", true, refName(ref), null,
                    from.getPrefix()));
        }
        return out;
    }

    private static ApplicationEnvironmentVariablesRecord envVar(UUID appId, int position, String name, String source,
            boolean fromAll, String refName, String refKey, String prefix) {
        ApplicationEnvironmentVariablesRecord r = new ApplicationEnvironmentVariablesRecord();
        r.setApplicationId(appId);
        r.setPosition(position);
        r.setName(name);
        r.setSource(source);
        r.setFromAll(fromAll);
        r.setRefName(refName);
        r.setRefKey(refKey);
        r.setPrefix(prefix);
        r.changed(true);
        return r;
    }

    /** Engine settings with credential-looking values redacted, sorted by key. */
    static Map<String, String> settings(Map<String, String> config) {
        Map<String, String> out = new LinkedHashMap<>();
        if (config != null) {
            new TreeMap<>(config).forEach((k, v) -> out.put(k, SECRET_SETTING.matcher(k).matches() ? REDACTED : v));
        }
        return out;
    }

    /** {@code scheme://user:password@host/path} → {@code scheme://host/path}; anything unparsable is dropped. */
    static String withoutUserInfo(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getRawUserInfo() == null) {
                return url;
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(),
                    uri.getFragment()).toString();
        } catch (Exception e) {
            return url.contains("@") ? REDACTED : url;
        }
    }

    /** JSON for a JSONB column, after the last-guard redaction of credential-looking string fields. */
    static JSONB json(JsonNode node) {
        JsonNode copy = node.deepCopy();
        redact(copy);
        try {
            return JSONB.valueOf(JSON.writeValueAsString(copy));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a mirror row", e);
        }
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().isValueNode() && !field.getValue().isNull()
                        && SECRET_FIELD.matcher(field.getKey()).matches()
                        && !REFERENCE_FIELD.matcher(field.getKey()).matches()) {
                    field.setValue(JSON.getNodeFactory().textNode(REDACTED));
                } else {
                    redact(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(MirrorRows::redact);
        }
    }

    private static String refName(LocalRef ref) {
        return ref == null ? null : ref.getName();
    }

    private static String refName(SecretKeyRef ref) {
        return ref == null ? null : ref.getName();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    static OffsetDateTime time(String rfc3339) {
        if (rfc3339 == null || rfc3339.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(rfc3339);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static UUID uuidOrNull(String s) {
        return Optional.ofNullable(s).flatMap(v -> {
            try {
                return Optional.of(UUID.fromString(v));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }).orElse(null);
    }

    /** Text for a TEXT column: PostgreSQL rejects NUL characters. */
    static String text(String s) {
        return s == null ? null : s.replace('\0', ' ');
    }
}
