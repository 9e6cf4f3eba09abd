package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.LinkedHashMap;
import java.util.Map;
import lombok.Data;
import lombok.EqualsAndHashCode;

@Data
@EqualsAndHashCode(callSuper = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StandaloneDatabaseSpec extends EnumFields {
    @Required
    @JsonPropertyDescription("The Server to run the database on.")
    private LocalRef serverRef;

    @Required
    @ValidationRule(value = "self == oldSelf", message = "engine is immutable")
    @JsonPropertyDescription("Database engine; immutable once set.")
    private Engine engine;

    @JsonPropertyDescription("Container image; defaults to the engine's official image.")
    private String image;

    @Pattern("^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    @JsonPropertyDescription("Name of the database created on first start (engines that have one).")
    private String databaseName;

    @Pattern("^[A-Za-z_][A-Za-z0-9_]{0,62}$")
    @JsonPropertyDescription("Name of the user created on first start (engines that have one).")
    private String username;

    @JsonPropertyDescription("An existing Secret with keys username and password; generated when absent.")
    private LocalRef credentialsSecretRef;

    @JsonPropertyDescription("The persistent volume holding the data.")
    private Storage storage = new Storage();

    @JsonPropertyDescription("Memory and CPU limits.")
    private Resources resources;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Publish the database on this host port (otherwise reachable only on the Berth network).")
    private Integer publicPort;

    @JsonPropertyDescription("Engine settings passed on the command line (e.g. max_connections: \"200\").")
    private Map<String, String> config = new LinkedHashMap<>();

    @JsonPropertyDescription("Health check; defaults to the engine's own readiness command.")
    private HealthCheck healthCheck;

    @Default("false")
    @JsonPropertyDescription("Stop the database container (keep it and its data) while true.")
    private Boolean suspend = false;

    @JsonPropertyDescription("Start this database from a backup a ScheduledBackup made: on an empty volume only, once.")
    private RestoreFrom restoreFrom;

    @JsonDeserialize(using = TolerantEnumDeserializer.class)
    public enum Engine {
        @JsonProperty("postgresql") POSTGRESQL,
        @JsonProperty("mysql") MYSQL,
        @JsonProperty("mariadb") MARIADB,
        @JsonProperty("mongodb") MONGODB,
        @JsonProperty("redis") REDIS,
        @JsonProperty("valkey") VALKEY,
        @JsonProperty("keydb") KEYDB,
        @JsonProperty("dragonfly") DRAGONFLY,
        @JsonProperty("clickhouse") CLICKHOUSE
    }

    @Data
    @EqualsAndHashCode(callSuper = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Storage extends EnumFields {
        @Pattern(Patterns.DOCKER_NAME)
        @JsonPropertyDescription("Docker volume name; defaults to berth-<namespace>-<name>-data.")
        private String volumeName;
        @Default("Retain")
        @JsonPropertyDescription("Retain keeps the volume when the database is deleted; Delete removes it.")
        private DeletionPolicy deletionPolicy = DeletionPolicy.Retain;
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RestoreFrom {
        @Required
        @JsonPropertyDescription("The ScheduledBackup (same namespace) whose backup is restored.")
        private LocalRef backupRef;
        @Default("latest")
        @Pattern("^(latest|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")
        @JsonPropertyDescription("latest (the newest successful run) or a run id (status.lastRun.id, the mirror's "
                + "backup_executions.id).")
        private String run = "latest";
        @Pattern("^(s3|host)$")
        @JsonPropertyDescription("Which destination to read from when the ScheduledBackup has both: s3 or host "
                + "(default s3).")
        private String source;
    }

    @JsonDeserialize(using = TolerantEnumDeserializer.class)
    public enum DeletionPolicy {
        Retain, Delete
    }
}
