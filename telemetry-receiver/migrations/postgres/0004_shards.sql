-- Every aggregate row gets a shard: each database connection of each
-- receiver writes its own shard (claimed with an advisory lock), so
-- receivers and connections committing at once never wait on one row
-- (such as a day's session count). Readers sum the shards.
ALTER TABLE agg_sessions ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE agg_sessions DROP CONSTRAINT agg_sessions_pkey,
    ADD PRIMARY KEY (day, schema_version, shard);
ALTER TABLE agg_counts ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE agg_counts DROP CONSTRAINT agg_counts_pkey,
    ADD PRIMARY KEY (day, schema_version, field, kind, key, shard);
ALTER TABLE agg_numbers ADD COLUMN shard SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE agg_numbers DROP CONSTRAINT agg_numbers_pkey,
    ADD PRIMARY KEY (day, schema_version, field, shard);
