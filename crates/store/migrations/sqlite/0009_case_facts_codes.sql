-- case_facts with its text slots as integer codes: state, category, txt1..txt4 and the clock
-- statuses hold the code of their value in `fact_values` instead of the text. An indicator scan
-- compares them on every row of a million; integers compare and decode markedly cheaper than
-- text (docs/benchmarks.md, "Indicators"). The store turns a filter's values into codes when it
-- builds the statement, and codes back into text where a query shows them. The table is rebuilt
-- from cases, events and clocks. Keep in sync with ../postgres (a test compares tables and columns).

-- The dictionary of the coded slots. Rows are only ever added (the store caches value → code
-- for the life of a process): the database refuses updates and deletes. Code 0 is the empty
-- text, so "set" (not NULL and not empty) is `code <> 0` without a look-up.
CREATE TABLE fact_values (
    code INTEGER PRIMARY KEY,
    value TEXT NOT NULL UNIQUE
);
INSERT INTO fact_values (code, value) VALUES (0, '');
CREATE TRIGGER fact_values_no_update BEFORE UPDATE ON fact_values
BEGIN SELECT RAISE(ABORT, 'fact_values is append-only: codes never change'); END;
CREATE TRIGGER fact_values_no_delete BEFORE DELETE ON fact_values
BEGIN SELECT RAISE(ABORT, 'fact_values is append-only: codes never change'); END;

DROP TABLE case_facts;

-- One narrow row per case, kept by the store with every case write (crates/store/src/cases.rs):
-- the columns indicators scan with conditional aggregation, plus slots whose meaning per case type
-- is fixed by crates/indicators/src/facts.rs: txtN text fields, numN integer fields (money in fen),
-- evN_day the first day one of a set of transitions was taken, clkN_status/clkN_due_day a stored
-- clock. Dates are day numbers (days since 1970-01-01); state, category, txtN and clkN_status are
-- codes of `fact_values` (NULL stays NULL). Both keep a scan over a million rows cheap.
-- Clustered by case type and unit path so that a unit subtree is one contiguous range.
-- Columns in the order the built-in indicators read them most: SQLite decodes a record's header
-- up to the last column a statement reads, so the ticket scan stops at ev2_day and the
-- enforcement scan at num1 (measured: ticket scan about 8 % less CPU than in slot order).
CREATE TABLE case_facts (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    case_type TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    created_day BIGINT NOT NULL,
    closed_day BIGINT,
    category BIGINT,
    txt1 BIGINT,
    clk1_status BIGINT,
    clk1_due_day BIGINT,
    ev1_day BIGINT,
    ev2_day BIGINT,
    ev3_day BIGINT,
    ev4_day BIGINT,
    txt2 BIGINT,
    num1 BIGINT,
    state BIGINT NOT NULL,
    published BIGINT NOT NULL DEFAULT 0,
    txt3 BIGINT,
    txt4 BIGINT,
    num2 BIGINT,
    clk2_status BIGINT,
    clk2_due_day BIGINT,
    PRIMARY KEY (case_type, unit_path, case_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX case_facts_case ON case_facts(case_id);

-- Facts of the cases that exist before this migration, with the layout of facts.rs: first the
-- values of the coded slots into the dictionary, then the rows with their codes.
-- BACKFILL BEGIN
INSERT INTO fact_values (value)
SELECT v FROM (
    SELECT c.state AS v FROM cases c
    UNION SELECT c.category FROM cases c
    UNION SELECT json_extract(c.fields, '$.satisfaction') FROM cases c WHERE c.case_type = 'hotline_ticket' AND json_type(c.fields, '$.satisfaction') = 'text'
    UNION SELECT json_extract(c.fields, '$.channel') FROM cases c WHERE c.case_type = 'hotline_ticket' AND json_type(c.fields, '$.channel') = 'text'
    UNION SELECT json_extract(c.fields, '$.domain') FROM cases c WHERE c.case_type = 'enforcement_case' AND json_type(c.fields, '$.domain') = 'text'
    UNION SELECT json_extract(c.fields, '$.outcome') FROM cases c WHERE c.case_type = 'enforcement_case' AND json_type(c.fields, '$.outcome') = 'text'
    UNION SELECT json_extract(c.fields, '$.procedure') FROM cases c WHERE c.case_type = 'enforcement_case' AND json_type(c.fields, '$.procedure') = 'text'
    UNION SELECT json_extract(c.fields, '$.penalty') FROM cases c WHERE c.case_type = 'enforcement_case' AND json_type(c.fields, '$.penalty') = 'text'
    UNION SELECT k.status FROM case_clocks k JOIN cases c ON c.id = k.case_id
        WHERE (c.case_type = 'hotline_ticket' AND k.code = 'handling_limit')
           OR (c.case_type = 'enforcement_case' AND k.code IN ('publicity_limit', 'decision_limit'))
) WHERE v IS NOT NULL
ON CONFLICT (value) DO NOTHING;
INSERT INTO case_facts (case_id, case_type, unit_path, created_day, closed_day, state, category, published,
    txt1, txt2, txt3, txt4, num1, num2, ev1_day, ev2_day, ev3_day, ev4_day, clk1_status, clk1_due_day, clk2_status, clk2_due_day)
SELECT x.case_id, x.case_type, x.unit_path, x.created_day, x.closed_day,
    (SELECT d.code FROM fact_values d WHERE d.value = x.state),
    (SELECT d.code FROM fact_values d WHERE d.value = x.category),
    x.published,
    (SELECT d.code FROM fact_values d WHERE d.value = x.txt1),
    (SELECT d.code FROM fact_values d WHERE d.value = x.txt2),
    (SELECT d.code FROM fact_values d WHERE d.value = x.txt3),
    (SELECT d.code FROM fact_values d WHERE d.value = x.txt4),
    x.num1, x.num2, x.ev1_day, x.ev2_day, x.ev3_day, x.ev4_day,
    (SELECT d.code FROM fact_values d WHERE d.value = x.clk1_status),
    x.clk1_due_day,
    (SELECT d.code FROM fact_values d WHERE d.value = x.clk2_status),
    x.clk2_due_day
FROM (
SELECT c.id AS case_id, c.case_type AS case_type, c.unit_path AS unit_path,
    CAST(julianday(c.created_on) - 2440587.5 AS INTEGER) AS created_day,
    CAST(julianday(c.closed_on) - 2440587.5 AS INTEGER) AS closed_day,
    c.state AS state, c.category AS category, c.published AS published,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CASE WHEN json_type(c.fields, '$.satisfaction') = 'text' THEN json_extract(c.fields, '$.satisfaction') END
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.domain') = 'text' THEN json_extract(c.fields, '$.domain') END
    END AS txt1,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CASE WHEN json_type(c.fields, '$.channel') = 'text' THEN json_extract(c.fields, '$.channel') END
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.outcome') = 'text' THEN json_extract(c.fields, '$.outcome') END
    END AS txt2,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.procedure') = 'text' THEN json_extract(c.fields, '$.procedure') END
    END AS txt3,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.penalty') = 'text' THEN json_extract(c.fields, '$.penalty') END
    END AS txt4,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.fine_amount') = 'integer' THEN json_extract(c.fields, '$.fine_amount') END
    END AS num1,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.paid_amount') = 'integer' THEN json_extract(c.fields, '$.paid_amount') END
    END AS num2,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('dispatch'))) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('file'))) - 2440587.5 AS INTEGER)
    END AS ev1_day,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('reply'))) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('pass_review'))) - 2440587.5 AS INTEGER)
    END AS ev2_day,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('revisit'))) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('decide', 'decide_on_spot'))) - 2440587.5 AS INTEGER)
    END AS ev3_day,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('reopen'))) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('publish'))) - 2440587.5 AS INTEGER)
    END AS ev4_day,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'handling_limit')
        WHEN 'enforcement_case' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'publicity_limit')
    END AS clk1_status,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'handling_limit')) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'publicity_limit')) - 2440587.5 AS INTEGER)
    END AS clk1_due_day,
    CASE c.case_type
        WHEN 'enforcement_case' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'decision_limit')
    END AS clk2_status,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'decision_limit')) - 2440587.5 AS INTEGER)
    END AS clk2_due_day
FROM cases c
) x;
-- BACKFILL END
