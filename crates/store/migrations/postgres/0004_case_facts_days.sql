-- case_facts with dates as day numbers (days since 1970-01-01) instead of text: integer
-- comparisons and differences make the indicator scans markedly cheaper. The table is rebuilt
-- from cases, events and clocks. Keep in sync with ../sqlite (a test compares tables and columns).
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
    unit_path TEXT COLLATE "C" NOT NULL,
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
);
CREATE UNIQUE INDEX case_facts_case ON case_facts(case_id);

-- Facts of the cases that exist before this migration, with the layout of facts.rs.
-- BACKFILL BEGIN
INSERT INTO case_facts (case_id, case_type, unit_path, created_day, closed_day, state, category, published,
    txt1, txt2, txt3, txt4, num1, num2, ev1_day, ev2_day, ev3_day, ev4_day, clk1_status, clk1_due_day, clk2_status, clk2_due_day)
SELECT c.id, c.case_type, c.unit_path, (CAST(c.created_on AS DATE) - DATE '1970-01-01'), (CAST(c.closed_on AS DATE) - DATE '1970-01-01'), c.state, c.category, c.published,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CASE WHEN jsonb_typeof(c.fields::jsonb -> 'satisfaction') = 'string' THEN c.fields::jsonb ->> 'satisfaction' END
        WHEN 'enforcement_case' THEN CASE WHEN jsonb_typeof(c.fields::jsonb -> 'domain') = 'string' THEN c.fields::jsonb ->> 'domain' END
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN CASE WHEN jsonb_typeof(c.fields::jsonb -> 'channel') = 'string' THEN c.fields::jsonb ->> 'channel' END
        WHEN 'enforcement_case' THEN CASE WHEN jsonb_typeof(c.fields::jsonb -> 'outcome') = 'string' THEN c.fields::jsonb ->> 'outcome' END
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN jsonb_typeof(c.fields::jsonb -> 'procedure') = 'string' THEN c.fields::jsonb ->> 'procedure' END
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN jsonb_typeof(c.fields::jsonb -> 'penalty') = 'string' THEN c.fields::jsonb ->> 'penalty' END
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN jsonb_typeof(c.fields::jsonb -> 'fine_amount') = 'number' AND (c.fields::jsonb ->> 'fine_amount') ~ '^-?[0-9]+$' THEN (c.fields::jsonb ->> 'fine_amount')::bigint END
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN CASE WHEN jsonb_typeof(c.fields::jsonb -> 'paid_amount') = 'number' AND (c.fields::jsonb ->> 'paid_amount') ~ '^-?[0-9]+$' THEN (c.fields::jsonb ->> 'paid_amount')::bigint END
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (CAST((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('dispatch')) AS DATE) - DATE '1970-01-01')
        WHEN 'enforcement_case' THEN (CAST((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('file')) AS DATE) - DATE '1970-01-01')
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (CAST((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('reply')) AS DATE) - DATE '1970-01-01')
        WHEN 'enforcement_case' THEN (CAST((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('pass_review')) AS DATE) - DATE '1970-01-01')
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (CAST((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('revisit')) AS DATE) - DATE '1970-01-01')
        WHEN 'enforcement_case' THEN (CAST((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('decide', 'decide_on_spot')) AS DATE) - DATE '1970-01-01')
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (CAST((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('reopen')) AS DATE) - DATE '1970-01-01')
        WHEN 'enforcement_case' THEN (CAST((SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('publish')) AS DATE) - DATE '1970-01-01')
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'handling_limit')
        WHEN 'enforcement_case' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'publicity_limit')
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (CAST((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'handling_limit') AS DATE) - DATE '1970-01-01')
        WHEN 'enforcement_case' THEN (CAST((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'publicity_limit') AS DATE) - DATE '1970-01-01')
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'decision_limit')
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN (CAST((SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'decision_limit') AS DATE) - DATE '1970-01-01')
    END
FROM cases c;
-- BACKFILL END
