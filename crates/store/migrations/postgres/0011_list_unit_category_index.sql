-- Counting a list filtered by category within a unit subtree (a community's staff): the capped
-- count walked every `cases_list` entry of the subtree to find the rows of a rare category (a
-- community holds 100 000 tickets of a 1 M street; 2 % of them are praise), reading pages the
-- page cache did not hold (p99 108 ms, docs/benchmarks.md). With the subtree given as its units
-- (`unit_path IN (…)`, crates/store/src/cases.rs, `list_cases`), this index seeks to each unit's
-- entries of that category (and state), so the count reads only matching entries. It carries
-- the other filter columns like the indexes of migrations 0005 and 0007.
CREATE INDEX cases_unit_category ON cases(case_type, unit_path, category, state,
    created_on DESC, id DESC, department_id, owner_id, due_on, closed_on, due_level);
