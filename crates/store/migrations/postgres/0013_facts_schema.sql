-- The facts layouts are data (case_types/<code>/facts.toml): the store generates the rollup
-- triggers and the backfill of case_facts and case_facts_rollup from the layouts it is opened
-- with, at `migrate` and at start (crates/store/src/indicators/schema.rs), and records here what
-- it generated. The hand-written triggers of 0010 go (fact_month stays: the generated SQL uses
-- it); the table stays. An unchanged layout costs one read at start; a changed one rebuilds the
-- slots, the rollup and the triggers in one transaction. Keep in sync with ../sqlite (a test
-- compares tables and columns).

DROP TRIGGER IF EXISTS case_facts_rollup_insert_delete ON case_facts;
DROP TRIGGER IF EXISTS case_facts_rollup_update ON case_facts;
DROP FUNCTION IF EXISTS case_facts_rollup_apply();

-- One row (id 1): the fingerprint of the layouts the generated schema follows (SHA-256 of
-- their canonical text, which is kept for the record), the part of it that fixes the slots of
-- case_facts, and when it was generated (epoch ms).
CREATE TABLE facts_schema (
    id BIGINT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    slots_fingerprint TEXT NOT NULL,
    layouts TEXT NOT NULL,
    generated_at BIGINT NOT NULL
);
