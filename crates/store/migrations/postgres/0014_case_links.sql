-- One matter across case types (issue 15 §4): a transition may open a linked case of another
-- type. Every case of a matter has a row here with the matter's number (the number of the case
-- the matter started from) and the case it was opened from. A case belongs to one matter at
-- most. Cases without links have no row.
CREATE TABLE case_links (
    case_id BIGINT NOT NULL PRIMARY KEY REFERENCES cases(id),
    matter_number TEXT NOT NULL,
    parent_case_id BIGINT REFERENCES cases(id),
    transition TEXT,
    linked_at BIGINT NOT NULL
);
CREATE INDEX case_links_matter ON case_links(matter_number, case_id);
