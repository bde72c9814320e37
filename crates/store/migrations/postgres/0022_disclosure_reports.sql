-- Issue 19: the 政府信息公开工作年度报告 of a unit and year, stored like the rule-of-law report:
-- a draft holding the clerk's part (sections 一, 五, 六 and the manual cells of tables 二 and 四,
-- JSON), frozen with a snapshot of everything the tables were computed from (the requests with
-- their case numbers, the computed cells of table 二), so a frozen report never changes.
CREATE TABLE disclosure_reports (
    id BIGSERIAL PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    -- draft | frozen
    status TEXT NOT NULL,
    -- JSON: the clerk's narrative and manual figures
    narrative TEXT NOT NULL,
    -- JSON: the inputs the tables were computed from, set when frozen
    snapshot TEXT,
    frozen_at BIGINT,
    frozen_by TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (unit_id, year)
);
