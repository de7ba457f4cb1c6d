-- The reports as received, one per session and UTC day (the primary key
-- is what de-duplicates a retry). Days are TEXT (YYYY-MM-DD): they sort
-- and compare as the days do.
CREATE TABLE raw_reports (
    day TEXT NOT NULL,
    session_key TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (day, session_key)
);
