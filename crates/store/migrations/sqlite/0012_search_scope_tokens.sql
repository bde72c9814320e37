-- Each case's search entry now also holds the scope tokens of its unit's path for its case type
-- (crates/store/src/search.rs, `document`): a search within a unit subtree is answered by the
-- index for that subtree, and counted by it. The entries written before hold no such tokens, so
-- the index is emptied and rebuilt by `search::backfill` after migrating (as in 0008).
INSERT INTO cases_search (cases_search) VALUES ('delete-all');
UPDATE search_backfill SET pending = 1;
