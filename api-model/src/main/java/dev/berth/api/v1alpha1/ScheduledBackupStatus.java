package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import lombok.Data;
import lombok.EqualsAndHashCode;
import lombok.ToString;

@Data
@EqualsAndHashCode(callSuper = true)
@ToString(callSuper = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScheduledBackupStatus extends BerthStatus {
    @JsonPropertyDescription("When the last run was started (RFC 3339).")
    private String lastScheduleTime;
    @JsonPropertyDescription("When the next run is due (RFC 3339).")
    private String nextScheduleTime;
    @JsonPropertyDescription("When a run last succeeded (RFC 3339).")
    private String lastSuccessfulTime;
    @JsonPropertyDescription("Summary of the last run.")
    private LastRun lastRun;

    @Data
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LastRun {
        private String id;
        @JsonPropertyDescription("running, succeeded or failed.")
        private String result;
        private String startTime;
        private String completionTime;
        private Long sizeBytes;
        @JsonPropertyDescription("Where the dump was written.")
        private String location;
        @JsonPropertyDescription("Why the run failed.")
        private String message;
        @JsonPropertyDescription("scheduled, immediate or catch-up.")
        private String trigger;
        @JsonPropertyDescription("Why the run failed, as a word: DatabaseNotReady, ToolFailed, TimedOut, ...")
        private String reason;
        @JsonPropertyDescription("sha256 of the stored bytes (lower-case hex).")
        private String sha256;
        @JsonPropertyDescription("Every complete copy of this run (also of a failed run: partial success is failure).")
        private List<String> restorableLocations;
        @JsonPropertyDescription("What verify found in the restored copy, e.g. tables=3 rows=1200.")
        private String verified;
    }
}
