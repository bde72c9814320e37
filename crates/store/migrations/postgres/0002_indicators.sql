-- Indicators (crates/indicators): case facts for fast scans, manual figures, annual reports.
-- Portable types as in 0001. Keep in sync with ../sqlite (a test compares tables and columns).

-- One narrow row per case, kept by the store with every case write (crates/store/src/cases.rs):
-- the columns indicators scan with conditional aggregation, plus slots whose meaning per case type
-- is fixed by crates/indicators/src/facts.rs: txtN text fields, numN integer fields (money in fen),
-- evN the first day one of a set of transitions was taken, clkN_status/clkN_due a stored clock.
-- Clustered by case type and unit path so that a unit subtree is one contiguous range.
CREATE TABLE case_facts (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    case_type TEXT NOT NULL,
    unit_path TEXT COLLATE "C" NOT NULL,
    created_on TEXT NOT NULL,
    closed_on TEXT,
    state TEXT NOT NULL,
    category TEXT,
    published BIGINT NOT NULL DEFAULT 0,
    txt1 TEXT,
    txt2 TEXT,
    txt3 TEXT,
    txt4 TEXT,
    num1 BIGINT,
    num2 BIGINT,
    ev1 TEXT,
    ev2 TEXT,
    ev3 TEXT,
    ev4 TEXT,
    clk1_status TEXT,
    clk1_due TEXT,
    clk2_status TEXT,
    clk2_due TEXT,
    PRIMARY KEY (case_type, unit_path, case_id)
);
CREATE UNIQUE INDEX case_facts_case ON case_facts(case_id);

-- Facts of the cases that exist before this migration, with the layout of facts.rs.
-- BACKFILL BEGIN
INSERT INTO case_facts (case_id, case_type, unit_path, created_on, closed_on, state, category, published,
    txt1, txt2, txt3, txt4, num1, num2, ev1, ev2, ev3, ev4, clk1_status, clk1_due, clk2_status, clk2_due)
SELECT c.id, c.case_type, c.unit_path, c.created_on, c.closed_on, c.state, c.category, c.published,
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
        WHEN 'hotline_ticket' THEN (SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('dispatch'))
        WHEN 'enforcement_case' THEN (SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('file'))
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('reply'))
        WHEN 'enforcement_case' THEN (SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('pass_review'))
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('revisit'))
        WHEN 'enforcement_case' THEN (SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('decide', 'decide_on_spot'))
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('reopen'))
        WHEN 'enforcement_case' THEN (SELECT MIN(e.on_date) FROM case_events e WHERE e.case_id = c.id AND e.transition IN ('publish'))
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'handling_limit')
        WHEN 'enforcement_case' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'publicity_limit')
    END,
    CASE c.case_type
        WHEN 'hotline_ticket' THEN (SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'handling_limit')
        WHEN 'enforcement_case' THEN (SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'publicity_limit')
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN (SELECT k.status FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'decision_limit')
    END,
    CASE c.case_type
        WHEN 'enforcement_case' THEN (SELECT k.due_on FROM case_clocks k WHERE k.case_id = c.id AND k.code = 'decision_limit')
    END
FROM cases c;
-- BACKFILL END

-- Figures the platform does not compute, entered by a unit for a period with their source.
-- Rows are never updated: a correction is a new row; the latest row of (unit, indicator, period)
-- is the figure in force. Every entry is also in the audit log.
CREATE TABLE manual_figures (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    indicator TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    unit_label TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT NOT NULL,
    entered_by BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX manual_figures_lookup ON manual_figures(unit_id, indicator, period_start, period_end, id);

-- Annual reports on rule-of-law government construction, one per unit and year.
CREATE TABLE reports (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    title TEXT NOT NULL,
    -- draft | frozen
    status TEXT NOT NULL,
    -- JSON document
    body TEXT NOT NULL,
    -- JSON figures frozen at publication
    snapshot TEXT,
    frozen_at BIGINT,
    frozen_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (unit_id, year)
);
