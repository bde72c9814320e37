-- A wider facts layout (crates/indicators/src/facts.rs): `case_facts` gains the slots txt5, txt6,
-- num3, num4 and ev5_day..ev8_day, and `case_facts_rollup` the matching key and value columns
-- (ev5_month..ev8_month, txt5, txt6; ev5_sum..ev8_sum, num3/num4 sums and counts), so that every
-- built-in indicator's measure can be held by the month rollup. The rollup table is recreated
-- empty (its key widens); the generated triggers go with it, and facts_schema is cleared, so the
-- `migrate` that runs this rebuilds the new slots, the rollup and the triggers from the layouts
-- in one transaction (crates/store/src/indicators/schema.rs). Keep in sync with ../postgres (a
-- test compares tables and columns).

DROP TRIGGER IF EXISTS case_facts_rollup_insert;
DROP TRIGGER IF EXISTS case_facts_rollup_update;
DROP TRIGGER IF EXISTS case_facts_rollup_delete;

ALTER TABLE case_facts ADD COLUMN txt5 BIGINT;
ALTER TABLE case_facts ADD COLUMN txt6 BIGINT;
ALTER TABLE case_facts ADD COLUMN num3 BIGINT;
ALTER TABLE case_facts ADD COLUMN num4 BIGINT;
ALTER TABLE case_facts ADD COLUMN ev5_day BIGINT;
ALTER TABLE case_facts ADD COLUMN ev6_day BIGINT;
ALTER TABLE case_facts ADD COLUMN ev7_day BIGINT;
ALTER TABLE case_facts ADD COLUMN ev8_day BIGINT;

DROP TABLE case_facts_rollup;

CREATE TABLE case_facts_rollup (
    case_type TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    created_month BIGINT NOT NULL,
    closed_month BIGINT NOT NULL,
    ev1_month BIGINT NOT NULL,
    ev2_month BIGINT NOT NULL,
    ev3_month BIGINT NOT NULL,
    ev4_month BIGINT NOT NULL,
    ev5_month BIGINT NOT NULL,
    ev6_month BIGINT NOT NULL,
    ev7_month BIGINT NOT NULL,
    ev8_month BIGINT NOT NULL,
    clk1_due_month BIGINT NOT NULL,
    clk2_due_month BIGINT NOT NULL,
    state BIGINT NOT NULL,
    category BIGINT NOT NULL,
    published BIGINT NOT NULL,
    txt1 BIGINT NOT NULL,
    txt2 BIGINT NOT NULL,
    txt3 BIGINT NOT NULL,
    txt4 BIGINT NOT NULL,
    txt5 BIGINT NOT NULL,
    txt6 BIGINT NOT NULL,
    clk1_status BIGINT NOT NULL,
    clk2_status BIGINT NOT NULL,
    n BIGINT NOT NULL,
    created_sum BIGINT NOT NULL,
    closed_sum BIGINT NOT NULL,
    ev1_sum BIGINT NOT NULL,
    ev2_sum BIGINT NOT NULL,
    ev3_sum BIGINT NOT NULL,
    ev4_sum BIGINT NOT NULL,
    ev5_sum BIGINT NOT NULL,
    ev6_sum BIGINT NOT NULL,
    ev7_sum BIGINT NOT NULL,
    ev8_sum BIGINT NOT NULL,
    num1_sum BIGINT NOT NULL,
    num1_n BIGINT NOT NULL,
    num2_sum BIGINT NOT NULL,
    num2_n BIGINT NOT NULL,
    num3_sum BIGINT NOT NULL,
    num3_n BIGINT NOT NULL,
    num4_sum BIGINT NOT NULL,
    num4_n BIGINT NOT NULL,
    PRIMARY KEY (case_type, unit_path, created_month, closed_month, ev1_month, ev2_month, ev3_month, ev4_month, ev5_month, ev6_month, ev7_month, ev8_month, clk1_due_month, clk2_due_month, state, category, published, txt1, txt2, txt3, txt4, txt5, txt6, clk1_status, clk2_status)
) WITHOUT ROWID;

-- Rebuilt by the generator at the end of this migrate.
DELETE FROM facts_schema;
