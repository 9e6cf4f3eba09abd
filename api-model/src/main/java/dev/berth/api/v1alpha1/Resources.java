package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import lombok.Data;

/** Container limits, in Docker's own units. */
@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Resources {
    @Pattern(Patterns.MEMORY)
    @JsonPropertyDescription("Memory limit, e.g. 512m or 1g.")
    private String memory;
    @Pattern(Patterns.CPUS)
    @JsonPropertyDescription("CPU limit in cores, e.g. 0.5.")
    private String cpus;
}
