package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;

@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScheduledBackupSpec {
    @Required
    @JsonPropertyDescription("The StandaloneDatabase to back up.")
    private LocalRef databaseRef;

    @Required
    @JsonPropertyDescription("Five-field cron expression (minute hour day month weekday) or an alias: "
            + "@yearly, @monthly, @weekly, @daily, @hourly.")
    private String schedule;

    @Default("UTC")
    @JsonPropertyDescription("IANA time zone the schedule is read in, e.g. Europe/Berlin.")
    private String timeZone = "UTC";

    @Default("false")
    @JsonPropertyDescription("Skip scheduled runs while true.")
    private Boolean suspend = false;

    @Default("false")
    @JsonPropertyDescription("Run one backup as soon as the resource is created.")
    private Boolean immediate = false;

    @JsonPropertyDescription("Databases to dump (engines with several databases); default the spec's databaseName.")
    private List<String> databases = new ArrayList<>();

    @Default("false")
    @JsonPropertyDescription("Dump every database of the engine.")
    private Boolean all = false;

    @Required
    @JsonPropertyDescription("Where dumps go: S3-compatible storage, a directory on the Server, or both.")
    private Destination destination;

    @JsonPropertyDescription("Which dumps to keep; older ones are deleted after each successful run.")
    private Retention retention = new Retention();

    @Default("1h")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("A run taking longer fails.")
    private String timeout = "1h";

    @Default("false")
    @JsonPropertyDescription("Restore each new dump into a throwaway container on the Server and count what it holds; "
            + "a dump that does not restore is a failed run.")
    private Boolean verify = false;

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Destination {
        private S3Destination s3;
        private HostDestination host;
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class S3Destination {
        @Required
        @JsonPropertyDescription("S3 API endpoint, e.g. https://s3.eu-central-1.amazonaws.com.")
        private String endpoint;
        @Required
        @JsonPropertyDescription("Bucket name.")
        private String bucket;
        @Default("us-east-1")
        private String region = "us-east-1";
        @JsonPropertyDescription("Key prefix for the dumps.")
        private String prefix;
        @Required
        @JsonPropertyDescription("Secret with keys accessKeyId and secretAccessKey.")
        private LocalRef credentialsSecretRef;
        @Default("true")
        @JsonPropertyDescription("Path-style addressing (MinIO and most self-hosted S3 need it).")
        private Boolean pathStyle = true;
        @JsonPropertyDescription("For an https:// endpoint whose certificate a private CA signed (e.g. a self-hosted "
                + "MinIO): the Secret key holding that CA's certificate(s), PEM; key defaults to ca.crt. The endpoint's "
                + "certificate must then chain to one of them (the usual public CAs are not consulted).")
        private SecretKeyRef endpointCA;
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class HostDestination {
        @Required
        @Pattern(Patterns.ABSOLUTE_PATH)
        @JsonPropertyDescription("Directory on the Server the dumps are written to.")
        private String path;
    }

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Retention {
        @Min(1)
        @JsonPropertyDescription("Keep at most this many dumps.")
        private Integer keepLast;
        @Pattern(Patterns.DURATION)
        @JsonPropertyDescription("Delete dumps older than this, e.g. 30d.")
        private String maxAge;
        @Pattern(Patterns.MEMORY)
        @JsonPropertyDescription("Delete the oldest dumps while all together exceed this size, e.g. 10g.")
        private String maxTotalSize;
    }
}
