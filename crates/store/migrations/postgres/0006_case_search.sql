-- The case search index (crates/store/src/search.rs): the adjacent CJK character pairs of each
-- case's search text as a tsvector (the 'simple' configuration keeps them as they are, with
-- positions for phrase queries) under a GIN index.
CREATE TABLE cases_search (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    tokens TSVECTOR NOT NULL
);
CREATE INDEX cases_search_tokens ON cases_search USING GIN (tokens);
-- Set until the cases written before this migration are indexed (`search::backfill`, run
-- after migrating).
CREATE TABLE search_backfill (pending INTEGER NOT NULL);
INSERT INTO search_backfill (pending) VALUES (1);
