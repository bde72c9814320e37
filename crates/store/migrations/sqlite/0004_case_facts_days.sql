-- case_facts with dates as day numbers (days since 1970-01-01) instead of text: integer
-- comparisons and differences make the indicator scans markedly cheaper. The table is rebuilt
-- from cases, events and clocks. Keep in sync with ../postgres (a test compares tables and columns).
DROP TABLE case_facts;

-- One narrow row per case, kept by the store with every case write (crates/store/src/cases.rs):
-- the columns indicators scan with conditional aggregation, plus slots whose meaning per case type
-- is fixed by crates/indicators/src/facts.rs: txtN text fields, numN integer fields (money in fen),
-- evN_day the first day one of a set of transitions was taken, clkN_status/clkN_due_day a stored
-- clock. Dates here are day numbers (days since 1970-01-01): integer comparisons and differences
-- keep a scan over a million rows cheap.
-- Clustered by case type and unit path so that a unit subtree is one contiguous range.
CREATE TABLE case_facts (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    case_type TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    created_day BIGINT NOT NULL,
    closed_day BIGINT,
    state TEXT NOT NULL,
    category TEXT,
    published BIGINT NOT NULL DEFAULT 0,
    txt1 TEXT,
    txt2 TEXT,
    txt3 TEXT,
    txt4 TEXT,
    num1 BIGINT,
    num2 BIGINT,
    ev1_day BIGINT,
    ev2_day BIGINT,
    ev3_day BIGINT,
    ev4_day BIGINT,
    clk1_status TEXT,
    clk1_due_day BIGINT,
    clk2_status TEXT,
    clk2_due_day BIGINT,
    PRIMARY KEY (case_type, unit_path, case_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX case_facts_case ON case_facts(case_id);

-- Facts of the cases that exist before this migration, with the layout of facts.rs.
-- BACKFILL BEGIN
INSERT INTO case_facts (case_id, case_type, unit_path, created_day, closed_day, state, category, published,
    txt1, txt2, txt3, txt4, num1, num2, ev1_day, ev2_day, ev3_day, ev4_day, clk1_status, clk1_due_day, clk2_status, clk2_due_day)
SELECT c.id, c.case_type, c.unit_path, CAST(julianday(c.created_on) - 2440587.5 AS INTEGER), CAST(julianday(c.closed_on) - 2440587.5 AS INTEGER), c.state, c.category, c.published,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CASE WHEN json_type(c.fields, '$.satisfaction') = 'text' THEN json_extract(c.fields, '$.satisfaction') END
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.domain') = 'text' THEN json_extract(c.fields, '$.domain') END
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CASE WHEN json_type(c.fields, '$.channel') = 'text' THEN json_extract(c.fields, '$.channel') END
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.outcome') = 'text' THEN json_extract(c.fields, '$.outcome') END
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.procedure') = 'text' THEN json_extract(c.fields, '$.procedure') END
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.penalty') = 'text' THEN json_extract(c.fields, '$.penalty') END
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.fine_amount') = 'integer' THEN json_extract(c.fields, '$.fine_amount') END
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN json_type(c.fields, '$.paid_amount') = 'integer' THEN json_extract(c.fields, '$.paid_amount') END
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('dispatch'))) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('file'))) - 2440587.5 AS INTEGER)
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('reply'))) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('pass_review'))) - 2440587.5 AS INTEGER)
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('revisit'))) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('decide', 'decide_on_spot'))) - 2440587.5 AS INTEGER)
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('reopen'))) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('publish'))) - 2440587.5 AS INTEGER)
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'handling_limit')
        WHEN 'enforcement_case' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'publicity_limit')
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CAST(julianday((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'handling_limit')) - 2440587.5 AS INTEGER)
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'publicity_limit')) - 2440587.5 AS INTEGER)
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'decision_limit')
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CAST(julianday((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'decision_limit')) - 2440587.5 AS INTEGER)
    END
FROM cases c;
-- BACKFILL END
