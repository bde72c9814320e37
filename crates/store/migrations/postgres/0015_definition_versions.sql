-- Definition versions (issue 15 §1). A case records the version tag of the case-type definition
-- it was opened under (`2026.1+<first 16 hex digits of the SHA-256 of case_type.toml>`); cases
-- opened before versions existed keep NULL. A changed definition applies to new cases; a case in
-- flight moves to it only through `fazhi workflow migrate-cases`, which writes one row here per
-- case moved (and an audit entry): the versions and, as JSON, every clock whose due date or status
-- changed (`fazhi_workflow::MigrationPlan`).
ALTER TABLE cases ADD COLUMN definition_version TEXT;

CREATE TABLE case_definition_migrations (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    from_version TEXT,
    to_version TEXT NOT NULL,
    changes TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX case_definition_migrations_case ON case_definition_migrations(case_id, id);

-- The text of every definition version cases were opened under, so that a migration can compare
-- a case's clocks under the definition it was opened under and the current one.
CREATE TABLE case_type_definitions (
    version TEXT NOT NULL PRIMARY KEY,
    case_type TEXT NOT NULL,
    definition TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
