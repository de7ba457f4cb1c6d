//! The reads of every field at once, for a page or an export of all
//! fields: one scan of a window's days instead of one per field (the
//! tables' keys start with the day, so a read of one field still walks
//! every field's rows of those days). Kept apart from [`super::sql`], as
//! their own statements, since only the dashboard uses them.
//!
//! The page and the exports of all fields read the counts through a
//! [`CountSink`]: the engine hands it each stored row, borrowed, and the
//! sink keeps only what it needs (a page: one number per value and day).
//! Summing in the database was most of the read's time on both engines
//! (SQLite groups by sorting; PostgreSQL's hash of 76,000 groups of text
//! spilled to disk at the default `work_mem`), and carrying every row
//! into memory as five strings was most of the rest.

use std::sync::LazyLock;

use super::sql::Dialect;

/// The statements in `dialect`, built once per process.
pub fn statements(dialect: Dialect) -> &'static WindowStatements {
    static SQLITE: LazyLock<WindowStatements> =
        LazyLock::new(|| WindowStatements::new(Dialect::Sqlite));
    static POSTGRES: LazyLock<WindowStatements> =
        LazyLock::new(|| WindowStatements::new(Dialect::Postgres));
    match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    }
}

/// One stored count row, as an engine reads it. Rows of one day,
/// version, field, kind and key may come several times, once per shard
/// (see migration 0004), in any order: the sink sums them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredCount<'a> {
    pub field: &'a str,
    pub day: &'a str,
    pub schema_version: &'a str,
    pub kind: &'a str,
    pub key: &'a str,
    pub count: i64,
}

/// What a scan of a window's counts hands its rows to.
pub trait CountSink: Send + 'static {
    fn add(&mut self, row: StoredCount<'_>);
}

/// The reads of every field, in one dialect.
#[derive(Debug)]
pub struct WindowStatements {
    /// See [`all_counts`].
    pub all_counts: String,
    /// See [`all_numbers`].
    pub all_numbers: String,
    /// See [`scan_counts`].
    pub scan_counts: String,
}

impl WindowStatements {
    fn new(dialect: Dialect) -> WindowStatements {
        WindowStatements {
            all_counts: all_counts(dialect),
            all_numbers: all_numbers(dialect),
            scan_counts: scan_counts(dialect),
        }
    }
}

/// The stored count rows of every field, for a [`CountSink`]: from, to
/// (both included), as stored (a scan of the table, as [`all_counts`]),
/// not summed.
pub fn scan_counts(dialect: Dialect) -> String {
    let (from, to) = params(dialect);
    let day = day_column(dialect);
    format!(
        "SELECT field, day, schema_version, kind, key, count FROM agg_counts \
         WHERE {day} >= {from} AND {day} <= {to}"
    )
}

/// `field, day, schema_version, kind, key, count` of every field: from,
/// to (both included), summed over the writers' shards (see migration
/// 0004). In no order: the caller sorts (by bytes, the same
/// on both engines; PostgreSQL's collation-aware sort of text was most of
/// this read's time). What [`crate::dashboard::read`] of every field
/// reads: the per-day rows as stored, which the faster reads of the page
/// and the exports (through [`scan_counts`]) are tested against.
pub fn all_counts(dialect: Dialect) -> String {
    let (from, to) = params(dialect);
    let day = day_column(dialect);
    format!(
        "SELECT field, day, schema_version, kind, key, CAST(SUM(count) AS BIGINT) FROM agg_counts \
         WHERE {day} >= {from} AND {day} <= {to} \
         GROUP BY field, day, schema_version, kind, key"
    )
}

/// How `day` is compared. On SQLite `+day`, which keeps the planner off
/// the primary key's index: a window of most days reads most rows, and a
/// scan of the table is several times cheaper than a walk of the index
/// with a lookup of each row's count.
fn day_column(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "+day",
        Dialect::Postgres => "day",
    }
}

/// `field, day, schema_version, count, sum, min, max` of every number
/// field: from, to. In no order, as [`all_counts`].
pub fn all_numbers(dialect: Dialect) -> String {
    let (from, to) = params(dialect);
    let day = day_column(dialect);
    format!(
        "SELECT field, day, schema_version, CAST(SUM(count) AS BIGINT), SUM(sum), MIN(min), MAX(max) \
         FROM agg_numbers WHERE {day} >= {from} AND {day} <= {to} \
         GROUP BY field, day, schema_version"
    )
}

fn params(dialect: Dialect) -> (&'static str, &'static str) {
    match dialect {
        Dialect::Sqlite => ("?1", "?2"),
        Dialect::Postgres => ("$1", "$2"),
    }
}
