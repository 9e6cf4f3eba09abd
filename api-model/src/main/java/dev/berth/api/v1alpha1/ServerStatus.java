package dev.berth.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import lombok.Data;
import lombok.EqualsAndHashCode;
import lombok.ToString;

@Data
@EqualsAndHashCode(callSuper = true)
@ToString(callSuper = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServerStatus extends BerthStatus {
    @JsonPropertyDescription("SHA256 fingerprint of the host key seen (and, under TrustOnFirstUse, pinned).")
    private String hostKeyFingerprint;
    @JsonPropertyDescription("Docker Engine version on the host.")
    private String dockerVersion;
    @JsonPropertyDescription("Operating system, from /etc/os-release.")
    private String os;
    @JsonPropertyDescription("CPU architecture.")
    private String architecture;
    @JsonPropertyDescription("Number of CPUs.")
    private Integer cpus;
    @JsonPropertyDescription("Total memory in bytes.")
    private Long memoryBytes;
    @JsonPropertyDescription("When the host was last checked (RFC 3339).")
    private String lastCheckTime;
    @JsonPropertyDescription("Consecutive failed checks; 0 when the last check succeeded.")
    private Integer consecutiveFailures;
}
