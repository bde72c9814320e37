-- Case lists over a million rows (docs/benchmarks.md, `fazhi-bench list`).
--
-- The list page reads one page of ids through an index that carries every filter column, so a
-- filter is decided on index entries without reading the (wide) case rows, and only the rows
-- of the page are read afterwards. `cases_recent` is walked in creation order and stops at the
-- page; `cases_state` does the same within one state (a rare state is a short walk);
-- `cases_list` narrows by unit subtree (counts); `cases_due` is walked in due-date order. `cases_dept` is covered by `cases_recent`.
DROP INDEX cases_list;
DROP INDEX cases_state;
DROP INDEX cases_due;
DROP INDEX cases_dept;
CREATE INDEX cases_list ON cases(case_type, unit_path, created_on DESC, id DESC,
    state, category, department_id, owner_id, due_on, closed_on, due_level);
CREATE INDEX cases_recent ON cases(case_type, created_on DESC, id DESC,
    unit_path, state, category, department_id, owner_id, due_on, closed_on, due_level);
CREATE INDEX cases_state ON cases(case_type, state, created_on DESC, id DESC,
    unit_path, category, department_id, owner_id, due_on, closed_on, due_level);
CREATE INDEX cases_due ON cases(case_type, due_on, id,
    unit_path, state, category, department_id, owner_id, closed_on, created_on, due_level)
    WHERE due_on IS NOT NULL;
