-- Berth's PostgreSQL mirror: a projection of the cluster's Berth resources and their history, shaped like the
-- data model Coolify users know (team > project > environment > resources). Kubernetes stays the source of truth;
-- these rows are written by the operator only. Keys are the resources' metadata.uid; teams, projects and
-- environments get name-derived UUIDs (see MirrorRows). No secret value is ever stored: Secrets appear as
-- references (name, key) only.
--
-- Kept to plain, portable DDL: jOOQ's DDLDatabase reads these files at build time to generate the Java classes.

-- A team is a Kubernetes namespace.
CREATE TABLE teams (
    id          UUID                     NOT NULL,
    name        VARCHAR(253)             NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_teams PRIMARY KEY (id),
    CONSTRAINT uq_teams_name UNIQUE (name)
);

-- A project, from the label berth.dev/project (default "default").
CREATE TABLE projects (
    id          UUID                     NOT NULL,
    team_id     UUID                     NOT NULL,
    name        VARCHAR(253)             NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_projects PRIMARY KEY (id),
    CONSTRAINT fk_projects_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT uq_projects_team_name UNIQUE (team_id, name)
);

-- An environment of a project, from the label berth.dev/environment (default "production").
CREATE TABLE environments (
    id          UUID                     NOT NULL,
    project_id  UUID                     NOT NULL,
    name        VARCHAR(253)             NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_environments PRIMARY KEY (id),
    CONSTRAINT fk_environments_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT uq_environments_project_name UNIQUE (project_id, name)
);

-- An SSH private key: only where it lives (Secret name and key) and its public fingerprint. Never key material.
CREATE TABLE private_keys (
    id           UUID                     NOT NULL,
    team_id      UUID                     NOT NULL,
    secret_name  VARCHAR(253)             NOT NULL,
    secret_key   VARCHAR(253)             NOT NULL,
    fingerprint  VARCHAR(128),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_private_keys PRIMARY KEY (id),
    CONSTRAINT fk_private_keys_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT uq_private_keys_secret UNIQUE (team_id, secret_name, secret_key)
);

-- Every resource table starts with the same columns: identity, tenancy, generation, spec (without secret
-- values), status, labels, the Ready condition's status and the short state, and the row's own timestamps.

CREATE TABLE servers (
    id                    UUID                     NOT NULL,
    team_id               UUID                     NOT NULL,
    project_id            UUID                     NOT NULL,
    environment_id        UUID                     NOT NULL,
    namespace             VARCHAR(253)             NOT NULL,
    name                  VARCHAR(253)             NOT NULL,
    generation            BIGINT,
    observed_generation   BIGINT,
    ready                 VARCHAR(16),
    state                 VARCHAR(64),
    labels                JSONB                    NOT NULL,
    spec                  JSONB                    NOT NULL,
    status                JSONB,
    host                  VARCHAR(253)             NOT NULL,
    port                  INTEGER                  NOT NULL,
    ssh_user              VARCHAR(253)             NOT NULL,
    private_key_id        UUID,
    host_key_policy       VARCHAR(32),
    host_key_fingerprint  VARCHAR(128),
    network               VARCHAR(253),
    suspended             BOOLEAN                  NOT NULL,
    docker_version        VARCHAR(64),
    os                    VARCHAR(253),
    architecture          VARCHAR(64),
    cpus                  INTEGER,
    memory_bytes          BIGINT,
    last_check_at         TIMESTAMP WITH TIME ZONE,
    consecutive_failures  INTEGER,
    k8s_created_at        TIMESTAMP WITH TIME ZONE,
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at            TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_servers PRIMARY KEY (id),
    CONSTRAINT fk_servers_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT fk_servers_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT fk_servers_environment FOREIGN KEY (environment_id) REFERENCES environments (id),
    CONSTRAINT fk_servers_private_key FOREIGN KEY (private_key_id) REFERENCES private_keys (id)
);
CREATE INDEX ix_servers_team ON servers (team_id);
CREATE INDEX ix_servers_project ON servers (project_id);
CREATE INDEX ix_servers_environment ON servers (environment_id);
CREATE INDEX ix_servers_private_key ON servers (private_key_id);
CREATE INDEX ix_servers_namespace_name ON servers (namespace, name);
CREATE INDEX ix_servers_deleted_at ON servers (deleted_at);

CREATE TABLE applications (
    id                    UUID                     NOT NULL,
    team_id               UUID                     NOT NULL,
    project_id            UUID                     NOT NULL,
    environment_id        UUID                     NOT NULL,
    namespace             VARCHAR(253)             NOT NULL,
    name                  VARCHAR(253)             NOT NULL,
    generation            BIGINT,
    observed_generation   BIGINT,
    ready                 VARCHAR(16),
    state                 VARCHAR(64),
    labels                JSONB                    NOT NULL,
    spec                  JSONB                    NOT NULL,
    status                JSONB,
    server_id             UUID,
    server_name           VARCHAR(253)             NOT NULL,
    image                 VARCHAR(1024)            NOT NULL,
    replicas              INTEGER                  NOT NULL,
    suspended             BOOLEAN                  NOT NULL,
    current_image         VARCHAR(1024),
    image_digest          VARCHAR(255),
    last_deployment_id    UUID,
    k8s_created_at        TIMESTAMP WITH TIME ZONE,
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at            TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_applications PRIMARY KEY (id),
    CONSTRAINT fk_applications_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT fk_applications_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT fk_applications_environment FOREIGN KEY (environment_id) REFERENCES environments (id),
    CONSTRAINT fk_applications_server FOREIGN KEY (server_id) REFERENCES servers (id)
);
CREATE INDEX ix_applications_team ON applications (team_id);
CREATE INDEX ix_applications_project ON applications (project_id);
CREATE INDEX ix_applications_environment ON applications (environment_id);
CREATE INDEX ix_applications_server ON applications (server_id);
CREATE INDEX ix_applications_namespace_name ON applications (namespace, name);
CREATE INDEX ix_applications_deleted_at ON applications (deleted_at);

-- An application's environment variables: names and where their values come from, never the values.
-- source: value (a literal in the spec), secret, configmap. from_all: an envFrom entry (every key of the source).
CREATE TABLE application_environment_variables (
    application_id  UUID          NOT NULL,
    position        INTEGER       NOT NULL,
    name            VARCHAR(253),
    source          VARCHAR(16)   NOT NULL,
    from_all        BOOLEAN       NOT NULL,
    ref_name        VARCHAR(253),
    ref_key         VARCHAR(253),
    prefix          VARCHAR(253),
    CONSTRAINT pk_application_environment_variables PRIMARY KEY (application_id, position),
    CONSTRAINT fk_application_environment_variables_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT ck_application_environment_variables_source CHECK (source IN ('value', 'secret', 'configmap'))
);
CREATE INDEX ix_application_environment_variables_ref ON application_environment_variables (ref_name);

-- Deployment history: one row per rollout.
CREATE TABLE application_deployments (
    id              UUID                     NOT NULL,
    application_id  UUID                     NOT NULL,
    team_id         UUID                     NOT NULL,
    server_id       UUID,
    status          VARCHAR(16)              NOT NULL,
    image           VARCHAR(1024),
    image_digest    VARCHAR(255),
    generation      BIGINT,
    reason          TEXT,
    message         TEXT,
    queued_at       TIMESTAMP WITH TIME ZONE NOT NULL,
    started_at      TIMESTAMP WITH TIME ZONE,
    finished_at     TIMESTAMP WITH TIME ZONE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_application_deployments PRIMARY KEY (id),
    CONSTRAINT fk_application_deployments_application FOREIGN KEY (application_id) REFERENCES applications (id),
    CONSTRAINT fk_application_deployments_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT fk_application_deployments_server FOREIGN KEY (server_id) REFERENCES servers (id),
    CONSTRAINT ck_application_deployments_status
        CHECK (status IN ('queued', 'in_progress', 'finished', 'failed', 'rolled_back'))
);
CREATE INDEX ix_application_deployments_application ON application_deployments (application_id, queued_at);
CREATE INDEX ix_application_deployments_team ON application_deployments (team_id);
CREATE INDEX ix_application_deployments_server ON application_deployments (server_id);
CREATE INDEX ix_application_deployments_status ON application_deployments (status);

-- A deployment's log lines, kept when it ends.
CREATE TABLE application_deployment_logs (
    id             UUID                     NOT NULL,
    deployment_id  UUID                     NOT NULL,
    line_no        BIGINT                   NOT NULL,
    logged_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    line           TEXT                     NOT NULL,
    CONSTRAINT pk_application_deployment_logs PRIMARY KEY (id),
    CONSTRAINT fk_application_deployment_logs_deployment FOREIGN KEY (deployment_id) REFERENCES application_deployments (id)
);
CREATE INDEX ix_application_deployment_logs_deployment ON application_deployment_logs (deployment_id, line_no);

CREATE TABLE standalone_databases (
    id                       UUID                     NOT NULL,
    team_id                  UUID                     NOT NULL,
    project_id               UUID                     NOT NULL,
    environment_id           UUID                     NOT NULL,
    namespace                VARCHAR(253)             NOT NULL,
    name                     VARCHAR(253)             NOT NULL,
    generation               BIGINT,
    observed_generation      BIGINT,
    ready                    VARCHAR(16),
    state                    VARCHAR(64),
    labels                   JSONB                    NOT NULL,
    spec                     JSONB                    NOT NULL,
    status                   JSONB,
    server_id                UUID,
    server_name              VARCHAR(253)             NOT NULL,
    engine                   VARCHAR(32)              NOT NULL,
    image                    VARCHAR(1024),
    database_name            VARCHAR(253),
    username                 VARCHAR(253),
    credentials_secret_name  VARCHAR(253),
    settings                 JSONB                    NOT NULL,
    volume_name              VARCHAR(253),
    deletion_policy          VARCHAR(16),
    public_port              INTEGER,
    suspended                BOOLEAN                  NOT NULL,
    connection_host          VARCHAR(253),
    connection_port          INTEGER,
    container_id             VARCHAR(128),
    k8s_created_at           TIMESTAMP WITH TIME ZONE,
    created_at               TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at               TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at               TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_standalone_databases PRIMARY KEY (id),
    CONSTRAINT fk_standalone_databases_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT fk_standalone_databases_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT fk_standalone_databases_environment FOREIGN KEY (environment_id) REFERENCES environments (id),
    CONSTRAINT fk_standalone_databases_server FOREIGN KEY (server_id) REFERENCES servers (id)
);
CREATE INDEX ix_standalone_databases_team ON standalone_databases (team_id);
CREATE INDEX ix_standalone_databases_project ON standalone_databases (project_id);
CREATE INDEX ix_standalone_databases_environment ON standalone_databases (environment_id);
CREATE INDEX ix_standalone_databases_server ON standalone_databases (server_id);
CREATE INDEX ix_standalone_databases_namespace_name ON standalone_databases (namespace, name);
CREATE INDEX ix_standalone_databases_engine ON standalone_databases (engine);
CREATE INDEX ix_standalone_databases_deleted_at ON standalone_databases (deleted_at);

CREATE TABLE scheduled_backups (
    id                      UUID                     NOT NULL,
    team_id                 UUID                     NOT NULL,
    project_id              UUID                     NOT NULL,
    environment_id          UUID                     NOT NULL,
    namespace               VARCHAR(253)             NOT NULL,
    name                    VARCHAR(253)             NOT NULL,
    generation              BIGINT,
    observed_generation     BIGINT,
    ready                   VARCHAR(16),
    state                   VARCHAR(64),
    labels                  JSONB                    NOT NULL,
    spec                    JSONB                    NOT NULL,
    status                  JSONB,
    standalone_database_id  UUID,
    database_name           VARCHAR(253)             NOT NULL,
    schedule                VARCHAR(253)             NOT NULL,
    time_zone               VARCHAR(64),
    suspended               BOOLEAN                  NOT NULL,
    s3_endpoint             VARCHAR(1024),
    s3_bucket               VARCHAR(253),
    s3_credentials_secret   VARCHAR(253),
    host_path               VARCHAR(1024),
    last_schedule_at        TIMESTAMP WITH TIME ZONE,
    next_schedule_at        TIMESTAMP WITH TIME ZONE,
    last_successful_at      TIMESTAMP WITH TIME ZONE,
    k8s_created_at          TIMESTAMP WITH TIME ZONE,
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted_at              TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_scheduled_backups PRIMARY KEY (id),
    CONSTRAINT fk_scheduled_backups_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT fk_scheduled_backups_project FOREIGN KEY (project_id) REFERENCES projects (id),
    CONSTRAINT fk_scheduled_backups_environment FOREIGN KEY (environment_id) REFERENCES environments (id),
    CONSTRAINT fk_scheduled_backups_database FOREIGN KEY (standalone_database_id) REFERENCES standalone_databases (id)
);
CREATE INDEX ix_scheduled_backups_team ON scheduled_backups (team_id);
CREATE INDEX ix_scheduled_backups_project ON scheduled_backups (project_id);
CREATE INDEX ix_scheduled_backups_environment ON scheduled_backups (environment_id);
CREATE INDEX ix_scheduled_backups_database ON scheduled_backups (standalone_database_id);
CREATE INDEX ix_scheduled_backups_namespace_name ON scheduled_backups (namespace, name);
CREATE INDEX ix_scheduled_backups_deleted_at ON scheduled_backups (deleted_at);

-- Backup history: one row per run. status: running, succeeded, failed (as in ScheduledBackup status.lastRun).
CREATE TABLE backup_executions (
    id                      UUID                     NOT NULL,
    scheduled_backup_id     UUID                     NOT NULL,
    standalone_database_id  UUID,
    team_id                 UUID                     NOT NULL,
    status                  VARCHAR(16)              NOT NULL,
    trigger_kind            VARCHAR(16)              NOT NULL,
    location                TEXT,
    size_bytes              BIGINT,
    message                 TEXT,
    started_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at             TIMESTAMP WITH TIME ZONE,
    created_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at              TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_backup_executions PRIMARY KEY (id),
    CONSTRAINT fk_backup_executions_scheduled_backup FOREIGN KEY (scheduled_backup_id) REFERENCES scheduled_backups (id),
    CONSTRAINT fk_backup_executions_database FOREIGN KEY (standalone_database_id) REFERENCES standalone_databases (id),
    CONSTRAINT fk_backup_executions_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT ck_backup_executions_status CHECK (status IN ('running', 'succeeded', 'failed'))
);
CREATE INDEX ix_backup_executions_scheduled_backup ON backup_executions (scheduled_backup_id, started_at);
CREATE INDEX ix_backup_executions_database ON backup_executions (standalone_database_id);
CREATE INDEX ix_backup_executions_team ON backup_executions (team_id);
CREATE INDEX ix_backup_executions_status ON backup_executions (status);

-- Every change Berth makes on a host, on behalf of which resource. resource_id is the resource's uid (of any
-- kind, hence no foreign key); server_id is the host it happened on, when known.
CREATE TABLE activity_log (
    id             UUID                     NOT NULL,
    team_id        UUID                     NOT NULL,
    resource_kind  VARCHAR(64)              NOT NULL,
    resource_id    UUID                     NOT NULL,
    namespace      VARCHAR(253)             NOT NULL,
    resource_name  VARCHAR(253)             NOT NULL,
    server_id      UUID,
    action         VARCHAR(128)             NOT NULL,
    detail         TEXT,
    occurred_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_activity_log PRIMARY KEY (id),
    CONSTRAINT fk_activity_log_team FOREIGN KEY (team_id) REFERENCES teams (id),
    CONSTRAINT fk_activity_log_server FOREIGN KEY (server_id) REFERENCES servers (id)
);
CREATE INDEX ix_activity_log_resource ON activity_log (resource_id, occurred_at);
CREATE INDEX ix_activity_log_team ON activity_log (team_id, occurred_at);
CREATE INDEX ix_activity_log_server ON activity_log (server_id, occurred_at);
CREATE INDEX ix_activity_log_occurred_at ON activity_log (occurred_at);
