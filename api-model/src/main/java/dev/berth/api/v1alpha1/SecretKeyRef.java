package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.AllArgsConstructor;
import lombok.Data;
import lombok.NoArgsConstructor;

/** A key in a Secret (or ConfigMap) in the resource's own namespace. */
@Data
@NoArgsConstructor
@AllArgsConstructor
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretKeyRef {
    @Required
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the Secret in the same namespace.")
    private String name;
    @JsonPropertyDescription("Key within the Secret.")
    private String key;
}
