-- The calendar's next year (issue 22). A year's official holiday arrangement loaded at run time
-- (`fazhi calendar import`), in the JSON format of the embedded table, with the short SHA-256
-- of the file and the calendar version it produced. The application's calendar is the embedded
-- data plus these years, read at start and after every import.
CREATE TABLE calendar_years (
    year BIGINT NOT NULL PRIMARY KEY,
    data TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    calendar_version TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
