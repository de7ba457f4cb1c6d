-- Distinct sessions per UTC day and schema version. Kept after the raw
-- reports are deleted. The same on both engines.
CREATE TABLE agg_sessions (
    day TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    sessions BIGINT NOT NULL,
    PRIMARY KEY (day, schema_version)
);
