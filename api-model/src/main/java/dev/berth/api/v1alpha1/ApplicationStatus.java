package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import lombok.Data;
import lombok.EqualsAndHashCode;
import lombok.ToString;

@Data
@EqualsAndHashCode(callSuper = true)
@ToString(callSuper = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApplicationStatus extends BerthStatus {
    @JsonPropertyDescription("The image running now.")
    private String currentImage;
    @JsonPropertyDescription("Digest of the running image.")
    private String imageDigest;
    @JsonPropertyDescription("Ids of the containers running now.")
    private List<String> containers = new ArrayList<>();
    @JsonPropertyDescription("Id of the last deployment (a row of the deployment history).")
    private String lastDeployment;
    @JsonPropertyDescription("Hash of the configuration (spec and resolved env) whose rollout failed. Berth does not "
            + "roll it out again until the spec or a referenced Secret or ConfigMap changes.")
    private String failedConfigHash;
}
