package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import lombok.Data;

/** What every status carries: the generation last reconciled, a short state and the conditions. */
@Data
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class BerthStatus {
    @JsonPropertyDescription("The metadata.generation the operator last reconciled.")
    private Long observedGeneration;
    @JsonPropertyDescription("A one-word summary of the resource's state, for kubectl get.")
    private String state;
    @JsonPropertyDescription("Ready and kind-specific conditions.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonIgnore
    public Optional<Condition> condition(String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
