//! The SQL that every batch and every fold runs, and those statements
//! prepared once per connection. The SQL both engines share is in
//! [`crate::store::sql`]; this is PostgreSQL's alone (arrays, `unnest`).

use std::sync::LazyLock;

use tokio_postgres::{Client, Statement};

use crate::store::sql::{Dialect, COUNTS_MERGE, SESSIONS_MERGE};

/// A batch whose reports are all new, in one statement (its own
/// transaction): the raw inserts, and the pending row of the aggregates
/// of all of them ($5) if all $6 were new. If one was not, the pending
/// row is empty, which the table's check refuses (see its migration): the
/// statement fails, nothing of it is kept, and the batch runs again on
/// the slow path.
const BATCH_OF_NEW: &str = "WITH raw AS (INSERT INTO raw_reports (day, session_key, schema_version, body) \
     SELECT day::date, session_key, schema_version, body \
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(day, session_key, schema_version, body) \
     ON CONFLICT DO NOTHING RETURNING 1), \
     pending AS (INSERT INTO agg_pending (totals) \
     SELECT CASE WHEN (SELECT COUNT(*) FROM raw) = $6 THEN $5::text ELSE '' END) \
     SELECT 1";

/// The raw reports of a batch, in key order: those that were not there
/// yet come back (a retry's and a second copy in the batch do not).
const RAW_INSERT: &str = "INSERT INTO raw_reports (day, session_key, schema_version, body) \
     SELECT day::date, session_key, schema_version, body \
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(day, session_key, schema_version, body) \
     ON CONFLICT DO NOTHING RETURNING to_char(day, 'YYYY-MM-DD'), session_key";

/// A batch's aggregates, beside its raw reports.
const PENDING_INSERT: &str = "INSERT INTO agg_pending (totals) VALUES ($1)";

/// Pending rows, taken (deleted) by this fold: a bounded number, so a
/// backlog (after the database was away) folds in several transactions.
static TAKE_PENDING: LazyLock<String> = LazyLock::new(|| {
    format!(
        "DELETE FROM agg_pending WHERE ctid = ANY \
         (ARRAY(SELECT ctid FROM agg_pending LIMIT {TAKEN_AT_MOST})) RETURNING totals"
    )
});
/// The most rows [`TAKE_PENDING`] takes.
pub(super) const TAKEN_AT_MOST: usize = 1000;

/// Session counts: days, versions, amounts; the shard.
static SESSIONS_UPSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO agg_sessions (day, schema_version, shard, sessions) \
         SELECT day, schema_version, $4::smallint, sessions FROM unnest($1::text[], $2::text[], $3::bigint[]) \
         AS t(day, schema_version, sessions) {SESSIONS_MERGE}"
    )
});

/// Counts that need no cap decision: days, versions, fields,
/// kinds, keys, amounts; the shard. Each key once (the fold sums them).
static COUNTS_UPSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO agg_counts (day, schema_version, field, kind, key, shard, count) \
         SELECT day, schema_version, field, kind, key, $7::smallint, count \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) \
         AS t(day, schema_version, field, kind, key, count) {COUNTS_MERGE}"
    )
});

/// Which of the capped keys the day has already counted (in any
/// shard): their positions, from 1. Those are counted without a cap
/// decision; the others run the capped upsert one by one.
const KNOWN_KEYS: &str = "SELECT t.at FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) \
     WITH ORDINALITY AS t(day, schema_version, field, kind, key, at) \
     WHERE EXISTS (SELECT 1 FROM agg_counts a WHERE a.day = t.day AND a.schema_version = t.schema_version \
     AND a.field = t.field AND a.kind = t.kind AND a.key = t.key)";

/// Number statistics: days, versions, fields, counts, sums,
/// minima, maxima; the shard.
static NUMBERS_UPSERT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO agg_numbers (day, schema_version, field, shard, count, sum, min, max) \
         SELECT day, schema_version, field, $8::smallint, count, sum, min, max \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[]) \
         AS t(day, schema_version, field, count, sum, min, max) {}",
        Dialect::Postgres.numbers_merge()
    )
});

/// The statements every batch and every fold run, prepared once per
/// connection: a statement sent as text is parsed and planned by the
/// server each time.
#[derive(Clone)]
pub(super) struct IngestStatements {
    pub(super) batch_of_new: Statement,
    pub(super) raw: Statement,
    pub(super) pending: Statement,
    pub(super) take_pending: Statement,
    pub(super) sessions: Statement,
    pub(super) count: Statement,
    pub(super) known_keys: Statement,
    pub(super) capped: Statement,
    pub(super) number: Statement,
}

/// Prepares every statement of [`IngestStatements`] on `client`, at once.
pub(super) async fn prepare(client: &Client) -> Result<IngestStatements, tokio_postgres::Error> {
    let (batch_of_new, raw, pending, take_pending, sessions, count, known_keys, capped, number) = tokio::try_join!(
        client.prepare(BATCH_OF_NEW),
        client.prepare(RAW_INSERT),
        client.prepare(PENDING_INSERT),
        client.prepare(&TAKE_PENDING),
        client.prepare(&SESSIONS_UPSERT),
        client.prepare(&COUNTS_UPSERT),
        client.prepare(KNOWN_KEYS),
        client.prepare(&Dialect::Postgres.statements().capped_upsert),
        client.prepare(&NUMBERS_UPSERT),
    )?;
    Ok(IngestStatements {
        batch_of_new,
        raw,
        pending,
        take_pending,
        sessions,
        count,
        known_keys,
        capped,
        number,
    })
}
