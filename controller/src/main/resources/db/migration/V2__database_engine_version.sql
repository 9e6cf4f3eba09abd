-- The version the engine itself reports (StandaloneDatabase status.engineVersion), for queries across databases.
ALTER TABLE standalone_databases ADD COLUMN engine_version VARCHAR(128);
