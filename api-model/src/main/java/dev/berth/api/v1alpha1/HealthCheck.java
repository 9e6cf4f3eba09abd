package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;
import lombok.Data;
import lombok.EqualsAndHashCode;

/** A container health check, turned into Docker's HEALTHCHECK. */
@Data
@EqualsAndHashCode(callSuper = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthCheck extends EnumFields {
    @Default("none")
    @JsonPropertyDescription("http, tcp, command or none.")
    private Type type = Type.none;
    @Pattern("^/.*$")
    @JsonPropertyDescription("HTTP path for type http, e.g. /healthz.")
    private String path;
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port for http and tcp checks (default: the first container port).")
    private Integer port;
    @JsonPropertyDescription("Command for type command, run inside the container; exit 0 means healthy.")
    private List<String> command;
    @Default("10s")
    @Pattern(Patterns.DURATION)
    private String interval = "10s";
    @Default("5s")
    @Pattern(Patterns.DURATION)
    private String timeout = "5s";
    @Default("3")
    @Min(1)
    @Max(100)
    private Integer retries = 3;
    @Default("5s")
    @Pattern(Patterns.DURATION)
    @JsonPropertyDescription("Grace period after start; with type none, how long a container must stay running to count as healthy.")
    private String startPeriod = "5s";

    @JsonDeserialize(using = TolerantEnumDeserializer.class)
    public enum Type {
        http, tcp, command, none
    }
}
