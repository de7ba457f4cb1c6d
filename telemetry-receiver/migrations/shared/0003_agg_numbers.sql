-- A number field's count, sum, min and max per UTC day and schema version.
-- Kept after the raw reports are deleted. The same on both engines.
CREATE TABLE agg_numbers (
    day TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    field TEXT NOT NULL,
    count BIGINT NOT NULL,
    sum DOUBLE PRECISION NOT NULL,
    min DOUBLE PRECISION NOT NULL,
    max DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (day, schema_version, field)
);
