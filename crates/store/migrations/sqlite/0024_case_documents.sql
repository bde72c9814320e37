-- Case documents (文书, issue 21). An issued document is a record: its file is a blob (stored
-- by SHA-256), its number is taken from the counter of its unit, kind and year inside the
-- issuing transaction (gap-free, never reused), and the row cannot change after issue except
-- for recording its service once. A correction is a new document that refers to the old one.
CREATE TABLE document_counters (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (unit_id, kind, year)
);

CREATE TABLE case_documents (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT,
    year INTEGER,
    seq BIGINT,
    number TEXT,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    media_type TEXT NOT NULL,
    corrects_id BIGINT REFERENCES case_documents(id),
    issued_by BIGINT,
    issued_on TEXT NOT NULL,
    at BIGINT NOT NULL,
    service_method TEXT,
    served_on TEXT,
    service_recipient TEXT,
    UNIQUE (unit_id, kind, year, seq)
);
CREATE INDEX case_documents_case ON case_documents(case_id);

CREATE TRIGGER case_documents_no_delete BEFORE DELETE ON case_documents
BEGIN SELECT RAISE(ABORT, 'issued documents are records'); END;
CREATE TRIGGER case_documents_immutable BEFORE UPDATE ON case_documents
WHEN NEW.case_id IS NOT OLD.case_id OR NEW.unit_id IS NOT OLD.unit_id OR NEW.name IS NOT OLD.name
  OR NEW.kind IS NOT OLD.kind OR NEW.year IS NOT OLD.year OR NEW.seq IS NOT OLD.seq
  OR NEW.number IS NOT OLD.number OR NEW.sha256 IS NOT OLD.sha256
  OR NEW.media_type IS NOT OLD.media_type OR NEW.corrects_id IS NOT OLD.corrects_id
  OR NEW.issued_by IS NOT OLD.issued_by OR NEW.issued_on IS NOT OLD.issued_on OR NEW.at IS NOT OLD.at
  OR OLD.served_on IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'issued documents are records'); END;
