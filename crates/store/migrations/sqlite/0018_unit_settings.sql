-- First run and organisation data (issue 17). The settings of a unit that `fazhi init` or the
-- setup page wrote: the province whose calendar overlay its deadlines use (two digits of the
-- administrative division code; NULL: the national calendar) and which case types it runs
-- (JSON list of case-type codes; '[]': every case type of the registry).
CREATE TABLE unit_settings (
    unit_id BIGINT NOT NULL PRIMARY KEY REFERENCES units(id),
    province TEXT,
    case_types TEXT NOT NULL
);
