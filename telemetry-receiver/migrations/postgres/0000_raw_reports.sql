-- The reports as received, one per session and UTC day (the primary key
-- is what de-duplicates a retry). Partitioned by day, so retention drops
-- whole partitions instead of deleting rows; the store creates each day's
-- partition before its first report.
CREATE TABLE raw_reports (
    day DATE NOT NULL,
    session_key TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (day, session_key)
) PARTITION BY RANGE (day);
