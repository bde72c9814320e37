-- Case lists filtered by category and state together (a leader's whole-street view): walking
-- `cases_state` for a common state to find a rare category read up to half a million entries to
-- count a page (docs/benchmarks.md). This index seeks to the pair and is walked in creation
-- order, carrying the other filter columns like the indexes of migration 0005.
CREATE INDEX cases_category ON cases(case_type, category, state, created_on DESC, id DESC,
    unit_path, department_id, owner_id, due_on, closed_on, due_level);
