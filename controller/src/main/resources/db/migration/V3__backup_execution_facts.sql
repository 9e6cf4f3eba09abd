-- Backup history that says everything a run did (issue 11): slots recorded as skipped or missed, why a run failed,
-- the sha256 of what was stored, every complete copy, what verify found, and when retention deleted a copy.
ALTER TABLE backup_executions DROP CONSTRAINT ck_backup_executions_status;
ALTER TABLE backup_executions ADD CONSTRAINT ck_backup_executions_status
    CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'missed'));
ALTER TABLE backup_executions ADD COLUMN slot_time TIMESTAMP WITH TIME ZONE;
ALTER TABLE backup_executions ADD COLUMN reason VARCHAR(64);
ALTER TABLE backup_executions ADD COLUMN sha256 VARCHAR(64);
ALTER TABLE backup_executions ADD COLUMN restorable_locations TEXT;
ALTER TABLE backup_executions ADD COLUMN verified TEXT;
ALTER TABLE backup_executions ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE backup_executions ADD COLUMN deletions TEXT;
