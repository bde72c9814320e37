-- Issue 17: a unit can be closed (merged away, dissolved). A closed unit takes no new cases,
-- users, departments, officers or sub-units, but keeps its history: its cases, users and audit
-- entries stay, readable as before. Epoch ms of the closing; NULL: open. Units are never deleted.
ALTER TABLE units ADD COLUMN closed_at BIGINT;
