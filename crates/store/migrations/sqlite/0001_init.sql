-- Portable schema (see ARCHITECTURE.md): dates are TEXT 'YYYY-MM-DD', timestamps BIGINT epoch-ms,
-- JSON is TEXT, money is integer fen, booleans are 0/1 integers. Keep in sync with ../postgres.
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES units(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL
);
CREATE INDEX units_path ON units(path);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT REFERENCES departments(id),
    scope TEXT NOT NULL,
    roles TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE officers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT REFERENCES departments(id),
    legal_reviewer BIGINT NOT NULL DEFAULT 0,
    active BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    officer_id BIGINT NOT NULL REFERENCES officers(id),
    number TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    annual_check_year BIGINT,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX certificates_officer ON certificates(officer_id);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    case_type TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_path TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    owner_id BIGINT REFERENCES users(id),
    state TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT,
    created_on TEXT NOT NULL,
    closed_on TEXT,
    due_on TEXT,
    due_level BIGINT NOT NULL DEFAULT 0,
    published BIGINT NOT NULL DEFAULT 0,
    fields TEXT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX cases_list ON cases(case_type, unit_path, created_on DESC, id DESC);
CREATE INDEX cases_state ON cases(case_type, state, created_on DESC);
CREATE INDEX cases_due ON cases(due_on) WHERE due_on IS NOT NULL;
CREATE INDEX cases_dept ON cases(department_id, created_on DESC);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    seq BIGINT NOT NULL,
    transition TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    on_date TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    input TEXT NOT NULL,
    UNIQUE (case_id, seq)
);

CREATE TABLE case_clocks (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    basis TEXT NOT NULL,
    started_on TEXT NOT NULL,
    due_on TEXT,
    status TEXT NOT NULL,
    level TEXT NOT NULL,
    calendar_version TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (case_id, code)
);
CREATE INDEX case_clocks_due ON case_clocks(status, due_on);

CREATE TABLE case_officers (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    officer_id BIGINT NOT NULL REFERENCES officers(id),
    PRIMARY KEY (case_id, officer_id)
);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    data BLOB NOT NULL
);

CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    description TEXT NOT NULL,
    uploaded_by BIGINT REFERENCES users(id),
    at BIGINT NOT NULL
);
CREATE INDEX evidence_case ON evidence(case_id);

CREATE TABLE publications (
    id INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    published_on TEXT NOT NULL,
    withdrawn_on TEXT,
    withdraw_reason TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX publications_case ON publications(case_id);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);

-- The audit log is append-only: the database itself refuses updates and deletes.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;


-- Head of the audit chain: every write transaction updates this row first, which serialises
-- writers (SQLite: takes the write lock at once; PostgreSQL: row lock) and keeps the chain linear.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Per-year case number sequences (e.g. 12345-2026-000123).
CREATE TABLE case_numbers (
    prefix TEXT PRIMARY KEY,
    next BIGINT NOT NULL
);
