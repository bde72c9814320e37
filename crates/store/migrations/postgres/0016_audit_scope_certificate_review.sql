-- Issue 16: certificates entered through the application wait for a second person's review
-- before they count (requested_by set, reviewed_by empty = pending; rows without requested_by were
-- entered by the operator or loaded and count at once). The audit log records the unit path of
-- the entity each entry is about (derived when the entry is written, not part of the hash: it
-- only decides who may list the entry; NULL = not tied to a unit, listed for top-level units).
ALTER TABLE certificates ADD COLUMN requested_by TEXT;
ALTER TABLE certificates ADD COLUMN reviewed_by TEXT;
ALTER TABLE audit_log ADD COLUMN unit_path TEXT;

ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
UPDATE audit_log SET unit_path =
    CASE entity
        WHEN 'case' THEN (SELECT c.unit_path FROM cases c WHERE c.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
        WHEN 'unit' THEN (SELECT u.path FROM units u WHERE u.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
        WHEN 'department' THEN (SELECT u.path FROM departments x JOIN units u ON u.id = x.unit_id WHERE x.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
        WHEN 'user' THEN (SELECT u.path FROM users x JOIN units u ON u.id = x.unit_id WHERE x.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
        WHEN 'officer' THEN (SELECT u.path FROM officers x JOIN units u ON u.id = x.unit_id WHERE x.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
        WHEN 'certificate' THEN (SELECT u.path FROM certificates c JOIN officers x ON x.id = c.officer_id JOIN units u ON u.id = x.unit_id WHERE c.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
        WHEN 'manual_figure' THEN (SELECT u.path FROM manual_figures x JOIN units u ON u.id = x.unit_id WHERE x.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
        WHEN 'report' THEN (SELECT u.path FROM reports x JOIN units u ON u.id = x.unit_id WHERE x.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
        WHEN 'imported_report' THEN (SELECT u.path FROM imported_reports x JOIN units u ON u.id = x.unit_id WHERE x.id = (CASE WHEN audit_log.entity_id ~ '^[0-9]{1,18}$' THEN CAST(audit_log.entity_id AS BIGINT) END))
    END
;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
CREATE INDEX audit_unit_path ON audit_log(unit_path, id);

-- TRUNCATE bypasses row triggers: refuse it on the audit tables as well, and never delete the
-- chain head.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE FUNCTION audit_head_keep() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_head cannot be deleted or truncated'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION audit_head_keep();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
FOR EACH STATEMENT EXECUTE FUNCTION audit_head_keep();
