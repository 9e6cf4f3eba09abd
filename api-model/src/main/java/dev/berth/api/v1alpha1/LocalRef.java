package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import lombok.AllArgsConstructor;
import lombok.Data;
import lombok.NoArgsConstructor;

/** A reference by name to another object in the same namespace. */
@Data
@NoArgsConstructor
@AllArgsConstructor
public class LocalRef {
    @Required
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the referenced object in the same namespace.")
    private String name;
}
