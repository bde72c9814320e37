-- A rollup of case_facts by month, kept with it by triggers: one row per case type, unit path,
-- month of each date column and value of each coded column it holds for the case type, with the
-- number of cases and the sums a figure needs. A year, quarter or month report reads its groups
-- (1 296 to 71 408 rows for a million cases in docs/benchmarks.md) instead of every case's
-- facts; what it cannot decide (a month cut by a period bound or the computation day; columns it
-- does not hold, amounts, JSON fields) comes from case_facts (crates/indicators/src/months.rs,
-- ARCHITECTURE.md "Aligned periods read a month rollup of the facts"). Keep in sync with
-- ../postgres (a test compares tables and columns).
--
-- Key: `<date>_month` is the day number of the first day of the month of the facts' `<date>_day`
-- (days since 1970-01-01), -1 for none; the coded columns hold the same codes as case_facts, -1
-- for NULL (-1 is neither a code nor a first day of a month, and NULL would make every NULL a
-- key of its own). A column the rollup does not hold for a case type is -2 on its rows: it holds
-- what the built-in catalogue reads (the `rollup` columns of each layout in
-- crates/indicators/src/facts.rs; every column for case types without a layout), since every
-- further column multiplies the groups; a condition on another column is computed from
-- case_facts. Values: `n` cases; `<date>_sum` the sum of their day numbers (0 for none and for a
-- date not held; a group has a held date on all its cases or on none); `numN_sum` the sum of
-- numN over the cases that have one and `numN_n` how many have one. A group whose last case
-- leaves is deleted.
--
-- The triggers run in the transaction that writes case_facts, so the rollup commits and rolls
-- back with it. A later migration that rebuilds case_facts (DROP TABLE) drops these triggers
-- with it and must recreate them and rebuild the rollup.

CREATE TABLE case_facts_rollup (
    case_type TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    created_month BIGINT NOT NULL,
    closed_month BIGINT NOT NULL,
    ev1_month BIGINT NOT NULL,
    ev2_month BIGINT NOT NULL,
    ev3_month BIGINT NOT NULL,
    ev4_month BIGINT NOT NULL,
    clk1_due_month BIGINT NOT NULL,
    clk2_due_month BIGINT NOT NULL,
    state BIGINT NOT NULL,
    category BIGINT NOT NULL,
    published BIGINT NOT NULL,
    txt1 BIGINT NOT NULL,
    txt2 BIGINT NOT NULL,
    txt3 BIGINT NOT NULL,
    txt4 BIGINT NOT NULL,
    clk1_status BIGINT NOT NULL,
    clk2_status BIGINT NOT NULL,
    n BIGINT NOT NULL,
    created_sum BIGINT NOT NULL,
    closed_sum BIGINT NOT NULL,
    ev1_sum BIGINT NOT NULL,
    ev2_sum BIGINT NOT NULL,
    ev3_sum BIGINT NOT NULL,
    ev4_sum BIGINT NOT NULL,
    num1_sum BIGINT NOT NULL,
    num1_n BIGINT NOT NULL,
    num2_sum BIGINT NOT NULL,
    num2_n BIGINT NOT NULL,
    PRIMARY KEY (case_type, unit_path, created_month, closed_month, ev1_month, ev2_month, ev3_month, ev4_month, clk1_due_month, clk2_due_month, state, category, published, txt1, txt2, txt3, txt4, clk1_status, clk2_status)
) WITHOUT ROWID;

-- The rollup of the facts that exist before this migration.
-- BACKFILL BEGIN
INSERT INTO case_facts_rollup (case_type, unit_path, created_month, closed_month, ev1_month, ev2_month, ev3_month, ev4_month, clk1_due_month, clk2_due_month, state, category, published, txt1, txt2, txt3, txt4, clk1_status, clk2_status, n, created_sum, closed_sum, ev1_sum, ev2_sum, ev3_sum, ev4_sum, num1_sum, num1_n, num2_sum, num2_n)
SELECT case_type,
    unit_path,
    created_month,
    closed_month,
    ev1_month,
    ev2_month,
    ev3_month,
    ev4_month,
    clk1_due_month,
    clk2_due_month,
    state,
    category,
    published,
    txt1,
    txt2,
    txt3,
    txt4,
    clk1_status,
    clk2_status,
    COUNT(*),
    COALESCE(SUM(created_day), 0),
    COALESCE(SUM(closed_day), 0),
    COALESCE(SUM(ev1_day), 0),
    COALESCE(SUM(ev2_day), 0),
    COALESCE(SUM(ev3_day), 0),
    COALESCE(SUM(ev4_day), 0),
    COALESCE(SUM(num1), 0),
    COUNT(num1),
    COALESCE(SUM(num2), 0),
    COUNT(num2)
FROM (SELECT f.case_type AS case_type, f.unit_path AS unit_path,
    CASE WHEN f.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(f.created_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AS created_month,
    CASE WHEN f.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(f.closed_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AS closed_month,
    CASE WHEN f.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(f.ev1_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AS ev1_month,
    COALESCE(CAST(julianday(f.ev2_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AS ev2_month,
    CASE WHEN f.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(f.ev3_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AS ev3_month,
    CASE WHEN f.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(f.ev4_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AS ev4_month,
    COALESCE(CAST(julianday(f.clk1_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AS clk1_due_month,
    CASE WHEN f.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(f.clk2_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AS clk2_due_month,
    CASE WHEN f.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE f.state END AS state,
    CASE WHEN f.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(f.category, -1) END AS category,
    CASE WHEN f.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE f.published END AS published,
    COALESCE(f.txt1, -1) AS txt1,
    CASE WHEN f.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(f.txt2, -1) END AS txt2,
    CASE WHEN f.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(f.txt3, -1) END AS txt3,
    CASE WHEN f.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(f.txt4, -1) END AS txt4,
    COALESCE(f.clk1_status, -1) AS clk1_status,
    CASE WHEN f.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(f.clk2_status, -1) END AS clk2_status,
    CASE WHEN f.case_type IN ('enforcement_case') THEN NULL ELSE f.created_day END AS created_day,
    CASE WHEN f.case_type IN ('enforcement_case') THEN NULL ELSE f.closed_day END AS closed_day,
    CASE WHEN f.case_type IN ('hotline_ticket') THEN NULL ELSE f.ev1_day END AS ev1_day,
    f.ev2_day AS ev2_day,
    CASE WHEN f.case_type IN ('hotline_ticket') THEN NULL ELSE f.ev3_day END AS ev3_day,
    CASE WHEN f.case_type IN ('hotline_ticket') THEN NULL ELSE f.ev4_day END AS ev4_day,
    f.num1, f.num2
    FROM case_facts f) x
GROUP BY case_type, unit_path, created_month, closed_month, ev1_month, ev2_month, ev3_month, ev4_month, clk1_due_month, clk2_due_month, state, category, published, txt1, txt2, txt3, txt4, clk1_status, clk2_status;
-- BACKFILL END

CREATE TRIGGER case_facts_rollup_insert AFTER INSERT ON case_facts BEGIN
    INSERT INTO case_facts_rollup (case_type, unit_path, created_month, closed_month, ev1_month, ev2_month, ev3_month, ev4_month, clk1_due_month, clk2_due_month, state, category, published, txt1, txt2, txt3, txt4, clk1_status, clk2_status, n, created_sum, closed_sum, ev1_sum, ev2_sum, ev3_sum, ev4_sum, num1_sum, num1_n, num2_sum, num2_n)
    VALUES (NEW.case_type,
        NEW.unit_path,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(NEW.created_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(NEW.closed_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(NEW.ev1_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        COALESCE(CAST(julianday(NEW.ev2_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1),
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(NEW.ev3_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(NEW.ev4_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        COALESCE(CAST(julianday(NEW.clk1_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1),
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(NEW.clk2_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE NEW.state END,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(NEW.category, -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE NEW.published END,
        COALESCE(NEW.txt1, -1),
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(NEW.txt2, -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(NEW.txt3, -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(NEW.txt4, -1) END,
        COALESCE(NEW.clk1_status, -1),
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(NEW.clk2_status, -1) END,
        1,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN 0 ELSE COALESCE(NEW.created_day, 0) END,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN 0 ELSE COALESCE(NEW.closed_day, 0) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(NEW.ev1_day, 0) END,
        COALESCE(NEW.ev2_day, 0),
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(NEW.ev3_day, 0) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(NEW.ev4_day, 0) END,
        COALESCE(NEW.num1, 0),
        (NEW.num1 IS NOT NULL),
        COALESCE(NEW.num2, 0),
        (NEW.num2 IS NOT NULL))
    ON CONFLICT (case_type, unit_path, created_month, closed_month, ev1_month, ev2_month, ev3_month, ev4_month, clk1_due_month, clk2_due_month, state, category, published, txt1, txt2, txt3, txt4, clk1_status, clk2_status) DO UPDATE SET
        n = n + excluded.n,
        created_sum = created_sum + excluded.created_sum,
        closed_sum = closed_sum + excluded.closed_sum,
        ev1_sum = ev1_sum + excluded.ev1_sum,
        ev2_sum = ev2_sum + excluded.ev2_sum,
        ev3_sum = ev3_sum + excluded.ev3_sum,
        ev4_sum = ev4_sum + excluded.ev4_sum,
        num1_sum = num1_sum + excluded.num1_sum,
        num1_n = num1_n + excluded.num1_n,
        num2_sum = num2_sum + excluded.num2_sum,
        num2_n = num2_n + excluded.num2_n;
END;

-- Only updates that change a column the rollup holds for the case type (`replace_clocks`
-- rewrites the same clock slots on every step; a ticket's state is not held).
CREATE TRIGGER case_facts_rollup_update AFTER UPDATE ON case_facts
WHEN OLD.case_type IS NOT NEW.case_type
    OR OLD.unit_path IS NOT NEW.unit_path
    OR (OLD.created_day IS NOT NEW.created_day AND NEW.case_type NOT IN ('enforcement_case'))
    OR (OLD.closed_day IS NOT NEW.closed_day AND NEW.case_type NOT IN ('enforcement_case'))
    OR (OLD.ev1_day IS NOT NEW.ev1_day AND NEW.case_type NOT IN ('hotline_ticket'))
    OR OLD.ev2_day IS NOT NEW.ev2_day
    OR (OLD.ev3_day IS NOT NEW.ev3_day AND NEW.case_type NOT IN ('hotline_ticket'))
    OR (OLD.ev4_day IS NOT NEW.ev4_day AND NEW.case_type NOT IN ('hotline_ticket'))
    OR OLD.clk1_due_day IS NOT NEW.clk1_due_day
    OR (OLD.clk2_due_day IS NOT NEW.clk2_due_day AND NEW.case_type NOT IN ('hotline_ticket', 'enforcement_case'))
    OR (OLD.state IS NOT NEW.state AND NEW.case_type NOT IN ('hotline_ticket', 'enforcement_case'))
    OR (OLD.category IS NOT NEW.category AND NEW.case_type NOT IN ('enforcement_case'))
    OR (OLD.published IS NOT NEW.published AND NEW.case_type NOT IN ('hotline_ticket', 'enforcement_case'))
    OR OLD.txt1 IS NOT NEW.txt1
    OR (OLD.txt2 IS NOT NEW.txt2 AND NEW.case_type NOT IN ('hotline_ticket'))
    OR (OLD.txt3 IS NOT NEW.txt3 AND NEW.case_type NOT IN ('hotline_ticket', 'enforcement_case'))
    OR (OLD.txt4 IS NOT NEW.txt4 AND NEW.case_type NOT IN ('hotline_ticket', 'enforcement_case'))
    OR OLD.clk1_status IS NOT NEW.clk1_status
    OR (OLD.clk2_status IS NOT NEW.clk2_status AND NEW.case_type NOT IN ('hotline_ticket', 'enforcement_case'))
    OR OLD.num1 IS NOT NEW.num1
    OR OLD.num2 IS NOT NEW.num2
BEGIN
    DELETE FROM case_facts_rollup WHERE n = 1 AND
        case_type = OLD.case_type AND
        unit_path = OLD.unit_path AND
        created_month = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.created_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        closed_month = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.closed_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev1_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev1_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev2_month = COALESCE(CAST(julianday(OLD.ev2_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AND
        ev3_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev3_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev4_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev4_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        clk1_due_month = COALESCE(CAST(julianday(OLD.clk1_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AND
        clk2_due_month = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.clk2_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        state = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE OLD.state END AND
        category = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(OLD.category, -1) END AND
        published = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE OLD.published END AND
        txt1 = COALESCE(OLD.txt1, -1) AND
        txt2 = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(OLD.txt2, -1) END AND
        txt3 = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.txt3, -1) END AND
        txt4 = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.txt4, -1) END AND
        clk1_status = COALESCE(OLD.clk1_status, -1) AND
        clk2_status = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.clk2_status, -1) END;
    UPDATE case_facts_rollup SET
        n = n - 1,
        created_sum = created_sum - CASE WHEN OLD.case_type IN ('enforcement_case') THEN 0 ELSE COALESCE(OLD.created_day, 0) END,
        closed_sum = closed_sum - CASE WHEN OLD.case_type IN ('enforcement_case') THEN 0 ELSE COALESCE(OLD.closed_day, 0) END,
        ev1_sum = ev1_sum - CASE WHEN OLD.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(OLD.ev1_day, 0) END,
        ev2_sum = ev2_sum - COALESCE(OLD.ev2_day, 0),
        ev3_sum = ev3_sum - CASE WHEN OLD.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(OLD.ev3_day, 0) END,
        ev4_sum = ev4_sum - CASE WHEN OLD.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(OLD.ev4_day, 0) END,
        num1_sum = num1_sum - COALESCE(OLD.num1, 0),
        num1_n = num1_n - (OLD.num1 IS NOT NULL),
        num2_sum = num2_sum - COALESCE(OLD.num2, 0),
        num2_n = num2_n - (OLD.num2 IS NOT NULL)
    WHERE case_type = OLD.case_type AND
        unit_path = OLD.unit_path AND
        created_month = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.created_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        closed_month = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.closed_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev1_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev1_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev2_month = COALESCE(CAST(julianday(OLD.ev2_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AND
        ev3_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev3_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev4_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev4_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        clk1_due_month = COALESCE(CAST(julianday(OLD.clk1_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AND
        clk2_due_month = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.clk2_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        state = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE OLD.state END AND
        category = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(OLD.category, -1) END AND
        published = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE OLD.published END AND
        txt1 = COALESCE(OLD.txt1, -1) AND
        txt2 = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(OLD.txt2, -1) END AND
        txt3 = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.txt3, -1) END AND
        txt4 = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.txt4, -1) END AND
        clk1_status = COALESCE(OLD.clk1_status, -1) AND
        clk2_status = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.clk2_status, -1) END;
    INSERT INTO case_facts_rollup (case_type, unit_path, created_month, closed_month, ev1_month, ev2_month, ev3_month, ev4_month, clk1_due_month, clk2_due_month, state, category, published, txt1, txt2, txt3, txt4, clk1_status, clk2_status, n, created_sum, closed_sum, ev1_sum, ev2_sum, ev3_sum, ev4_sum, num1_sum, num1_n, num2_sum, num2_n)
    VALUES (NEW.case_type,
        NEW.unit_path,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(NEW.created_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(NEW.closed_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(NEW.ev1_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        COALESCE(CAST(julianday(NEW.ev2_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1),
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(NEW.ev3_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(NEW.ev4_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        COALESCE(CAST(julianday(NEW.clk1_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1),
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(NEW.clk2_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE NEW.state END,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(NEW.category, -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE NEW.published END,
        COALESCE(NEW.txt1, -1),
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(NEW.txt2, -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(NEW.txt3, -1) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(NEW.txt4, -1) END,
        COALESCE(NEW.clk1_status, -1),
        CASE WHEN NEW.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(NEW.clk2_status, -1) END,
        1,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN 0 ELSE COALESCE(NEW.created_day, 0) END,
        CASE WHEN NEW.case_type IN ('enforcement_case') THEN 0 ELSE COALESCE(NEW.closed_day, 0) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(NEW.ev1_day, 0) END,
        COALESCE(NEW.ev2_day, 0),
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(NEW.ev3_day, 0) END,
        CASE WHEN NEW.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(NEW.ev4_day, 0) END,
        COALESCE(NEW.num1, 0),
        (NEW.num1 IS NOT NULL),
        COALESCE(NEW.num2, 0),
        (NEW.num2 IS NOT NULL))
    ON CONFLICT (case_type, unit_path, created_month, closed_month, ev1_month, ev2_month, ev3_month, ev4_month, clk1_due_month, clk2_due_month, state, category, published, txt1, txt2, txt3, txt4, clk1_status, clk2_status) DO UPDATE SET
        n = n + excluded.n,
        created_sum = created_sum + excluded.created_sum,
        closed_sum = closed_sum + excluded.closed_sum,
        ev1_sum = ev1_sum + excluded.ev1_sum,
        ev2_sum = ev2_sum + excluded.ev2_sum,
        ev3_sum = ev3_sum + excluded.ev3_sum,
        ev4_sum = ev4_sum + excluded.ev4_sum,
        num1_sum = num1_sum + excluded.num1_sum,
        num1_n = num1_n + excluded.num1_n,
        num2_sum = num2_sum + excluded.num2_sum,
        num2_n = num2_n + excluded.num2_n;
END;

CREATE TRIGGER case_facts_rollup_delete AFTER DELETE ON case_facts BEGIN
    DELETE FROM case_facts_rollup WHERE n = 1 AND
        case_type = OLD.case_type AND
        unit_path = OLD.unit_path AND
        created_month = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.created_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        closed_month = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.closed_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev1_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev1_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev2_month = COALESCE(CAST(julianday(OLD.ev2_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AND
        ev3_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev3_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev4_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev4_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        clk1_due_month = COALESCE(CAST(julianday(OLD.clk1_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AND
        clk2_due_month = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.clk2_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        state = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE OLD.state END AND
        category = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(OLD.category, -1) END AND
        published = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE OLD.published END AND
        txt1 = COALESCE(OLD.txt1, -1) AND
        txt2 = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(OLD.txt2, -1) END AND
        txt3 = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.txt3, -1) END AND
        txt4 = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.txt4, -1) END AND
        clk1_status = COALESCE(OLD.clk1_status, -1) AND
        clk2_status = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.clk2_status, -1) END;
    UPDATE case_facts_rollup SET
        n = n - 1,
        created_sum = created_sum - CASE WHEN OLD.case_type IN ('enforcement_case') THEN 0 ELSE COALESCE(OLD.created_day, 0) END,
        closed_sum = closed_sum - CASE WHEN OLD.case_type IN ('enforcement_case') THEN 0 ELSE COALESCE(OLD.closed_day, 0) END,
        ev1_sum = ev1_sum - CASE WHEN OLD.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(OLD.ev1_day, 0) END,
        ev2_sum = ev2_sum - COALESCE(OLD.ev2_day, 0),
        ev3_sum = ev3_sum - CASE WHEN OLD.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(OLD.ev3_day, 0) END,
        ev4_sum = ev4_sum - CASE WHEN OLD.case_type IN ('hotline_ticket') THEN 0 ELSE COALESCE(OLD.ev4_day, 0) END,
        num1_sum = num1_sum - COALESCE(OLD.num1, 0),
        num1_n = num1_n - (OLD.num1 IS NOT NULL),
        num2_sum = num2_sum - COALESCE(OLD.num2, 0),
        num2_n = num2_n - (OLD.num2 IS NOT NULL)
    WHERE case_type = OLD.case_type AND
        unit_path = OLD.unit_path AND
        created_month = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.created_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        closed_month = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.closed_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev1_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev1_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev2_month = COALESCE(CAST(julianday(OLD.ev2_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AND
        ev3_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev3_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        ev4_month = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(CAST(julianday(OLD.ev4_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        clk1_due_month = COALESCE(CAST(julianday(OLD.clk1_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) AND
        clk2_due_month = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(CAST(julianday(OLD.clk2_due_day + 2440587.5, 'start of month') - 2440587.5 AS INTEGER), -1) END AND
        state = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE OLD.state END AND
        category = CASE WHEN OLD.case_type IN ('enforcement_case') THEN -2 ELSE COALESCE(OLD.category, -1) END AND
        published = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE OLD.published END AND
        txt1 = COALESCE(OLD.txt1, -1) AND
        txt2 = CASE WHEN OLD.case_type IN ('hotline_ticket') THEN -2 ELSE COALESCE(OLD.txt2, -1) END AND
        txt3 = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.txt3, -1) END AND
        txt4 = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.txt4, -1) END AND
        clk1_status = COALESCE(OLD.clk1_status, -1) AND
        clk2_status = CASE WHEN OLD.case_type IN ('hotline_ticket', 'enforcement_case') THEN -2 ELSE COALESCE(OLD.clk2_status, -1) END;
END;
