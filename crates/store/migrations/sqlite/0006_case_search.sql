-- The case search index (crates/store/src/search.rs): the adjacent CJK character pairs of each
-- case's search text, in a contentless FTS5 table whose rowid is the case id (deletable, for
-- re-indexing a changed text). Phrase queries need positions (detail=full, the default).
CREATE VIRTUAL TABLE cases_search USING fts5(
    tokens, content = '', contentless_delete = 1, tokenize = 'unicode61'
);
-- Set until the cases written before this migration are indexed (`search::backfill`, run
-- after migrating).
CREATE TABLE search_backfill (pending INTEGER NOT NULL);
INSERT INTO search_backfill (pending) VALUES (1);
