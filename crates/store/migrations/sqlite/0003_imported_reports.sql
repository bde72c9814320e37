-- Imported annual reports (issue 4): published 法治政府建设年度报告 of any unit, read by
-- crates/importer and stored against the unit and year with their source, for comparison.
-- Portable types as in 0001. Keep in sync with ../postgres (a test compares tables and columns).
CREATE TABLE imported_reports (
    id INTEGER PRIMARY KEY,
    -- The reporting unit as named by the report or by the importer (海幢街道办事处).
    unit_name TEXT NOT NULL,
    -- The unit of the org tree with that name, when there is one.
    unit_id BIGINT REFERENCES units(id),
    -- street | township | district
    level TEXT,
    region TEXT,
    year BIGINT NOT NULL,
    title TEXT,
    -- File name as uploaded.
    source_name TEXT NOT NULL,
    -- SHA-256 (hex) of the uploaded bytes.
    sha256 TEXT NOT NULL,
    -- The decoded text all figure offsets refer to (characters).
    text TEXT NOT NULL,
    -- JSON: the importer's Extraction without decoded_text.
    extraction TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by TEXT NOT NULL,
    UNIQUE (unit_name, year, sha256)
);
CREATE INDEX imported_reports_year ON imported_reports(year, id);
CREATE INDEX imported_reports_unit ON imported_reports(unit_id, year);
