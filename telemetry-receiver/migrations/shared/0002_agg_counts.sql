-- Counts per UTC day, schema version and field: a value's, an element's,
-- a map key's sum, or a histogram bucket's (`kind` says which). Kept after
-- the raw reports are deleted. The same on both engines.
CREATE TABLE agg_counts (
    day TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    field TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, schema_version, field, kind, key)
);
