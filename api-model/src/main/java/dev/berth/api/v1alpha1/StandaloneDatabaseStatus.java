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
public class StandaloneDatabaseStatus extends BerthStatus {
    @JsonPropertyDescription("Host name clients on the Berth network connect to.")
    private String host;
    @JsonPropertyDescription("Port clients connect to.")
    private Integer port;
    @JsonPropertyDescription("Host port the database is published on, if any.")
    private Integer publicPort;
    @JsonPropertyDescription("Name of the Secret holding the credentials (the password itself is never in status).")
    private String credentialsSecretName;
    @JsonPropertyDescription("Id of the database container.")
    private String containerId;
    @JsonPropertyDescription("Name of the Secret with uri, host, port, username, password, database (and jdbcUri) for clients.")
    private String connectionSecretName;
    @JsonPropertyDescription("The server version the engine itself reports.")
    private String engineVersion;
    @JsonPropertyDescription("Image of the database container.")
    private String image;
    @JsonPropertyDescription("Docker volume holding the data.")
    private String volumeName;
    @JsonPropertyDescription("Hash of the container configuration that last became ready.")
    private String configHash;
    @JsonPropertyDescription("Hash of a container configuration that failed; not retried until the spec changes.")
    private String failedConfigHash;
    @JsonPropertyDescription("The backup run this database was restored from (restoreFrom), once the restore completed.")
    private String restoredRunId;
}
