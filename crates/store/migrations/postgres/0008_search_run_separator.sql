-- The search index now separates CJK runs (crates/store/src/search.rs, `index_tokens`), which
-- makes a phrase of pairs exact. The tokens written before ran consecutive runs together (a
-- phrase could match across them), so the index is emptied and rebuilt by `search::backfill`
-- after migrating.
TRUNCATE cases_search;
UPDATE search_backfill SET pending = 1;
