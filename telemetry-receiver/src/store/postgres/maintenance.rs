//! What the maintenance job rewrites in the aggregates: keys past a day's
//! bound folded into `(other)`, and past days' rows merged into one shard.
//!
//! While a day runs, each writing connection adds to rows of its own shard
//! (so no two writers wait on one row), up to 32 rows per key; once the
//! day is over nobody writes them, and the maintenance job merges each
//! key's rows into shard 0: a past day keeps one row per key, which is
//! what the README's bound counts. The sums do not change, so nothing read
//! from them does.

use std::sync::LazyLock;

use time::Date;

use super::connections::{sql, Connections};
use crate::aggregate::OTHER;
use crate::clock::day_text;
use crate::store::sql::{Dialect, COUNTS_MERGE, SESSIONS_MERGE};
use crate::store::{Fold, StoreError};

/// The shard a fold's `(other)` count goes to.
const FOLD_SHARD: i16 = 0;

/// The advisory lock a compaction runs under: a receiver finding another
/// one compacting leaves the work to it.
const LOCK: i64 = 0x7465_6c65_636f_6d70; // "telecomp"

/// Whether this transaction got the compaction to itself.
const TAKE_LOCK: &str = "SELECT pg_try_advisory_xact_lock($1)";

/// Each table's rows of days before `$1` outside shard 0, deleted and
/// added to shard 0 (summed by key first: one upsert per key).
static COMPACTIONS: LazyLock<[String; 3]> = LazyLock::new(|| {
    [
        format!(
            "WITH moved AS (DELETE FROM agg_sessions WHERE day < $1 AND shard <> 0 \
             RETURNING day, schema_version, sessions) \
             INSERT INTO agg_sessions (day, schema_version, shard, sessions) \
             SELECT day, schema_version, 0, SUM(sessions) FROM moved GROUP BY day, schema_version \
             {SESSIONS_MERGE}"
        ),
        format!(
            "WITH moved AS (DELETE FROM agg_counts WHERE day < $1 AND shard <> 0 \
             RETURNING day, schema_version, field, kind, key, count) \
             INSERT INTO agg_counts (day, schema_version, field, kind, key, shard, count) \
             SELECT day, schema_version, field, kind, key, 0, SUM(count) FROM moved \
             GROUP BY day, schema_version, field, kind, key {COUNTS_MERGE}"
        ),
        format!(
            "WITH moved AS (DELETE FROM agg_numbers WHERE day < $1 AND shard <> 0 \
             RETURNING day, schema_version, field, count, sum, min, max) \
             INSERT INTO agg_numbers (day, schema_version, field, shard, count, sum, min, max) \
             SELECT day, schema_version, field, 0, SUM(count), SUM(sum), MIN(min), MAX(max) FROM moved \
             GROUP BY day, schema_version, field {}",
            Dialect::Postgres.numbers_merge()
        ),
    ]
});

/// Deletes each fold's keys and adds their total to the day's `(other)`,
/// in one transaction that also moves `agg_generation` (what reads and
/// remembers counts checks).
pub(super) async fn fold(connections: &Connections, folds: Vec<Fold>) -> Result<(), StoreError> {
    connections
        .query(move |connection| {
            Box::pin(async move {
                let tx = connection.client.transaction().await?;
                for fold in &folds {
                    tx.execute(
                        &sql().fold_delete,
                        &[
                            &fold.day,
                            &fold.schema_version,
                            &fold.field,
                            &fold.kind,
                            &fold.keys,
                        ],
                    )
                    .await?;
                    tx.execute(
                        &sql().count_upsert,
                        &[
                            &fold.day,
                            &fold.schema_version,
                            &fold.field,
                            &fold.kind,
                            &OTHER,
                            &FOLD_SHARD,
                            &fold.total,
                        ],
                    )
                    .await?;
                }
                tx.execute(&sql().generation_bump, &[]).await?;
                tx.commit().await
            })
        })
        .await
}

/// Merges the rows of days before `day` into shard 0, unless another
/// receiver is doing it.
pub(super) async fn compact_before(connections: &Connections, day: Date) -> Result<(), StoreError> {
    let day = day_text(day);
    connections
        .query(move |connection| {
            Box::pin(async move {
                let tx = connection.client.transaction().await?;
                let ours: bool = tx.query_one(TAKE_LOCK, &[&LOCK]).await?.get(0);
                if ours {
                    for statement in COMPACTIONS.iter() {
                        tx.execute(statement.as_str(), &[&day]).await?;
                    }
                }
                tx.commit().await
            })
        })
        .await
}
