-- Issue 16: certificates entered through the application wait for a second person's review
-- before they count (requested_by set, reviewed_by empty = pending; rows without requested_by were
-- entered by the operator or loaded and count at once). The audit log records the unit path of
-- the entity each entry is about (derived when the entry is written, not part of the hash: it
-- only decides who may list the entry; NULL = not tied to a unit, listed for top-level units).
ALTER TABLE certificates ADD COLUMN requested_by TEXT;
ALTER TABLE certificates ADD COLUMN reviewed_by TEXT;
ALTER TABLE audit_log ADD COLUMN unit_path TEXT;

DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET unit_path =
    CASE entity
        WHEN 'case' THEN (SELECT c.unit_path FROM cases c WHERE c.id = CAST(audit_log.entity_id AS INTEGER))
        WHEN 'unit' THEN (SELECT u.path FROM units u WHERE u.id = CAST(audit_log.entity_id AS INTEGER))
        WHEN 'department' THEN (SELECT u.path FROM departments x JOIN units u ON u.id = x.unit_id WHERE x.id = CAST(audit_log.entity_id AS INTEGER))
        WHEN 'user' THEN (SELECT u.path FROM users x JOIN units u ON u.id = x.unit_id WHERE x.id = CAST(audit_log.entity_id AS INTEGER))
        WHEN 'officer' THEN (SELECT u.path FROM officers x JOIN units u ON u.id = x.unit_id WHERE x.id = CAST(audit_log.entity_id AS INTEGER))
        WHEN 'certificate' THEN (SELECT u.path FROM certificates c JOIN officers x ON x.id = c.officer_id JOIN units u ON u.id = x.unit_id WHERE c.id = CAST(audit_log.entity_id AS INTEGER))
        WHEN 'manual_figure' THEN (SELECT u.path FROM manual_figures x JOIN units u ON u.id = x.unit_id WHERE x.id = CAST(audit_log.entity_id AS INTEGER))
        WHEN 'report' THEN (SELECT u.path FROM reports x JOIN units u ON u.id = x.unit_id WHERE x.id = CAST(audit_log.entity_id AS INTEGER))
        WHEN 'imported_report' THEN (SELECT u.path FROM imported_reports x JOIN units u ON u.id = x.unit_id WHERE x.id = CAST(audit_log.entity_id AS INTEGER))
    END
;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE INDEX audit_unit_path ON audit_log(unit_path, id);
