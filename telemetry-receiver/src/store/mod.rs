//! Storage behind one small trait, with two engines: SQLite (embedded, the
//! default) and PostgreSQL (raw reports partitioned by day). A report is
//! acknowledged only once the transaction that stores it has committed,
//! with what it adds to the aggregates: on SQLite the aggregate rows
//! themselves; on PostgreSQL a pending row, added to the aggregate rows
//! by a fold within a second, and before any read ([`Store::settle`]). So
//! the raw reports and what is read of the aggregates never disagree.
//!
//! The engines run the same statements, written once in [`sql`]; each
//! engine's module holds only what that engine does differently.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use time::Date;

use crate::aggregate::{Observation, OTHER};

pub mod batch;
pub mod past_days;
pub mod pending;
pub mod postgres;
pub mod sql;
pub mod sqlite;
pub(crate) mod strings;
pub mod window;

/// How often a receiver settles its store ([`Store::settle`]) when nothing
/// reads it: how long a pending aggregate waits at most, as the database
/// sees it.
pub const SETTLE_EVERY: Duration = Duration::from_secs(1);

/// One validated report to store.
#[derive(Clone, Debug)]
pub struct Ingest {
    /// The UTC day it arrived.
    pub day: Date,
    pub version: String,
    /// Its `session_nonce`: one session's reports count once a day. A
    /// report without one gets a random key of its own.
    pub session_key: String,
    /// The report as received.
    pub body: String,
    pub observations: Vec<Observation>,
}

/// What storing did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    /// Already stored today (a retry after a lost answer): nothing changed.
    Duplicate,
}

/// What storing a batch did: each report's outcome, in the batch's order,
/// and how many of its keys were counted as `(other)` by the day's cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    pub outcomes: Vec<Outcome>,
    pub folded: u64,
}

/// The store could not do it; the report was not stored. The text names
/// the engine's reason (for PostgreSQL the server's message and SQLSTATE),
/// never a report's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One count of a day and version: a value's, an element's, a map key's
/// sum, or a histogram bucket's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountRow {
    pub day: String,
    pub schema_version: String,
    pub kind: String,
    pub key: String,
    pub count: i64,
}

/// A number field's statistics for a day and version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumberRow {
    pub day: String,
    pub schema_version: String,
    pub count: i64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

/// Distinct sessions of a day and version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionRow {
    pub day: String,
    pub schema_version: String,
    pub sessions: i64,
}

/// What a receiver needs of its storage.
pub trait Store: Send + Sync + 'static {
    /// Stores a batch of reports and what they add to the aggregates (or
    /// leave pending, see [`Store::settle`]) in one transaction: all of
    /// them or, on an error, none. A report whose day and session
    /// are already stored, by an earlier batch or earlier in this one, is a
    /// [`Outcome::Duplicate`].
    fn ingest_batch(
        &self,
        batch: Vec<Ingest>,
    ) -> impl Future<Output = Result<Stored, StoreError>> + Send;

    /// Stores one report: a batch of one.
    fn ingest(&self, ingest: Ingest) -> impl Future<Output = Result<Outcome, StoreError>> + Send {
        async move {
            let stored = self.ingest_batch(vec![ingest]).await?;
            stored
                .outcomes
                .first()
                .copied()
                .ok_or_else(|| StoreError("the store answered no outcome".to_owned()))
        }
    }

    /// Adds to the aggregates what every batch committed so far left
    /// pending (PostgreSQL, see [`postgres`]); the engine's reads do this
    /// first, and the receiver does it every [`SETTLE_EVERY`]. Answers how
    /// many keys the day's cap counted as `(other)` in such folds since
    /// the last settle (SQLite's batches count theirs in [`Stored`]).
    fn settle(&self) -> impl Future<Output = Result<u64, StoreError>> + Send {
        async { Ok(0) }
    }

    /// How many batches may commit at once: the receiver runs that many
    /// group-commit writers.
    fn writers(&self) -> usize {
        1
    }

    /// How long a group-commit writer under load may wait for the rest of
    /// its batch (see [`crate::commit`]): none unless a commit costs the
    /// database enough work, whatever its size, to be worth waiting for.
    fn linger(&self) -> Duration {
        Duration::ZERO
    }

    /// Answers if the database does (for `GET /readyz`).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Makes ready the storage of `days` days from `from` (PostgreSQL's day
    /// partitions), so a new day's first reports create nothing.
    fn prepare_days(
        &self,
        from: Date,
        days: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let _ = (from, days);
        async { Ok(()) }
    }

    /// Merges the aggregate rows of days before `day` that several
    /// writers kept apart (PostgreSQL's shards) into one row per key; the
    /// sums stay. SQLite has one writer, so nothing to merge.
    fn compact_before(&self, day: Date) -> impl Future<Output = Result<(), StoreError>> + Send {
        let _ = day;
        async { Ok(()) }
    }

    /// The counts of `field` from `from` to `to`, both included.
    fn counts(
        &self,
        field: &str,
        from: Date,
        to: Date,
    ) -> impl Future<Output = Result<Vec<CountRow>, StoreError>> + Send;
    /// The number statistics of `field` from `from` to `to`.
    fn numbers(
        &self,
        field: &str,
        from: Date,
        to: Date,
    ) -> impl Future<Output = Result<Vec<NumberRow>, StoreError>> + Send;
    /// The counts of every field from `from` to `to`, as `(field, row)`,
    /// in no order: one read for a page of every field.
    fn all_counts(
        &self,
        from: Date,
        to: Date,
    ) -> impl Future<Output = Result<Vec<(String, CountRow)>, StoreError>> + Send;
    /// Hands every stored count row of every field from `from` to `to` to
    /// `sink`, unsummed and in no order (see [`window::CountSink`]), and
    /// gives the sink back.
    fn scan_counts<K: window::CountSink>(
        &self,
        from: Date,
        to: Date,
        sink: K,
    ) -> impl Future<Output = Result<K, StoreError>> + Send;
    /// The number statistics of every field, as `(field, row)`, in no
    /// order.
    fn all_numbers(
        &self,
        from: Date,
        to: Date,
    ) -> impl Future<Output = Result<Vec<(String, NumberRow)>, StoreError>> + Send;
    /// Distinct sessions per day and version.
    fn sessions(
        &self,
        from: Date,
        to: Date,
    ) -> impl Future<Output = Result<Vec<SessionRow>, StoreError>> + Send;
    /// Deletes raw reports of days before `day`; aggregates stay.
    fn delete_raw_before(&self, day: Date) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The counts of `kind` of `fields` on days from `from` to before
    /// `before`, for folding.
    fn counts_between(
        &self,
        from: Date,
        before: Date,
        fields: &[String],
        kind: &'static str,
    ) -> impl Future<Output = Result<Vec<(String, CountRow)>, StoreError>> + Send;
    /// The number that changes whenever past days' counts change (see
    /// migration 0005): what was read of past days with one number is
    /// current while the store answers the same number.
    fn generation(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Replaces the listed value counts by `(other)` counts, and changes
    /// the [`Store::generation`], in one transaction.
    fn fold(&self, folds: Vec<Fold>) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// One day's folding of a field with invented keys: these keys leave,
/// their total joins `(other)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    pub day: String,
    pub schema_version: String,
    pub field: String,
    pub kind: String,
    pub keys: Vec<String>,
    pub total: i64,
}

/// The folds that keep each day's `keep` most frequent keys of a field
/// and kind (ties by key), from `(field, row)` counts.
pub fn folds(rows: Vec<(String, CountRow)>, keep: usize) -> Vec<Fold> {
    type Group = (String, String, String, String);
    let mut groups: BTreeMap<Group, Vec<CountRow>> = BTreeMap::new();
    for (field, row) in rows {
        if row.key != OTHER {
            let group = (
                row.day.clone(),
                row.schema_version.clone(),
                field,
                row.kind.clone(),
            );
            groups.entry(group).or_default().push(row);
        }
    }
    groups
        .into_iter()
        .filter(|(_, rows)| rows.len() > keep)
        .map(|((day, schema_version, field, kind), mut rows)| {
            rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
            let beyond = rows.split_off(keep);
            Fold {
                day,
                schema_version,
                field,
                kind,
                total: beyond.iter().map(|row| row.count).sum(),
                keys: beyond.into_iter().map(|row| row.key).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{TOP_VALUES, VALUE};

    fn row(day: &str, key: &str, count: i64) -> (String, CountRow) {
        (
            "os".to_owned(),
            CountRow {
                day: day.to_owned(),
                schema_version: "1.0".to_owned(),
                kind: VALUE.to_owned(),
                key: key.to_owned(),
                count,
            },
        )
    }

    #[test]
    fn a_day_keeps_its_most_frequent_values() {
        let mut rows: Vec<_> = (0..105)
            .map(|i| row("2026-01-01", &format!("v{i:03}"), i))
            .collect();
        rows.push(row("2026-01-02", "linux", 3));
        let folds = folds(rows, TOP_VALUES);
        assert_eq!(folds.len(), 1, "only the day over the limit folds");
        let fold = &folds[0];
        assert_eq!(fold.keys, ["v004", "v003", "v002", "v001", "v000"]);
        assert_eq!(fold.total, 4 + 3 + 2 + 1);
    }
}
