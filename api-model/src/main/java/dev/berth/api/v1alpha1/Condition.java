package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.AllArgsConstructor;
import lombok.Data;
import lombok.NoArgsConstructor;

/** A status condition, the shape Kubernetes' own resources use. */
@Data
@NoArgsConstructor
@AllArgsConstructor
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Condition {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    @JsonPropertyDescription("Condition type, e.g. Ready.")
    private String type;
    @JsonPropertyDescription("True, False or Unknown.")
    private String status;
    @JsonPropertyDescription("A stable CamelCase reason for the condition's last transition.")
    private String reason;
    @JsonPropertyDescription("A message a person can act on.")
    private String message;
    @JsonPropertyDescription("When the status last changed (RFC 3339).")
    private String lastTransitionTime;
    @JsonPropertyDescription("The metadata.generation this condition was computed from.")
    private Long observedGeneration;
}
