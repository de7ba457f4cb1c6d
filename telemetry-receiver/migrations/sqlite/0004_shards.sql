-- The shard column PostgreSQL's aggregates have (see its 0004): one
-- SQLite file has one writer, so every row is shard 0. SQLite cannot
-- change a primary key in place: each table is rebuilt.
CREATE TABLE agg_sessions_sharded (
    day TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    shard INTEGER NOT NULL DEFAULT 0,
    sessions BIGINT NOT NULL,
    PRIMARY KEY (day, schema_version, shard)
);
INSERT INTO agg_sessions_sharded (day, schema_version, sessions)
    SELECT day, schema_version, sessions FROM agg_sessions;
DROP TABLE agg_sessions;
ALTER TABLE agg_sessions_sharded RENAME TO agg_sessions;

CREATE TABLE agg_counts_sharded (
    day TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    field TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    shard INTEGER NOT NULL DEFAULT 0,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, schema_version, field, kind, key, shard)
);
INSERT INTO agg_counts_sharded (day, schema_version, field, kind, key, count)
    SELECT day, schema_version, field, kind, key, count FROM agg_counts;
DROP TABLE agg_counts;
ALTER TABLE agg_counts_sharded RENAME TO agg_counts;

CREATE TABLE agg_numbers_sharded (
    day TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    field TEXT NOT NULL,
    shard INTEGER NOT NULL DEFAULT 0,
    count BIGINT NOT NULL,
    sum DOUBLE PRECISION NOT NULL,
    min DOUBLE PRECISION NOT NULL,
    max DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (day, schema_version, field, shard)
);
INSERT INTO agg_numbers_sharded (day, schema_version, field, count, sum, min, max)
    SELECT day, schema_version, field, count, sum, min, max FROM agg_numbers;
DROP TABLE agg_numbers;
ALTER TABLE agg_numbers_sharded RENAME TO agg_numbers;
