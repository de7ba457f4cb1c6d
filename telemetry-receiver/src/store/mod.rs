//! Storage behind one small trait, with two engines: SQLite (embedded, the
//! default) and PostgreSQL (raw reports partitioned by day). Raw reports
//! and aggregates change in one transaction, so they never disagree; a
//! report is acknowledged only once that transaction has committed.
//!
//! The engines run the same statements, written once in [`sql`]; each
//! engine's module holds only what that engine does differently.

use std::collections::BTreeMap;
use std::future::Future;

use serde::Serialize;
use time::Date;

use crate::aggregate::{Observation, OTHER, TOP_VALUES, VALUE};

pub mod postgres;
pub mod sql;
pub mod sqlite;
pub mod window;

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

/// The store could not do it; the report was not stored.
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
    /// Stores a report and its aggregates in one transaction.
    fn ingest(&self, ingest: Ingest) -> impl Future<Output = Result<Outcome, StoreError>> + Send;
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
    /// The value counts of `fields` on days before `day`, for folding.
    fn value_counts_before(
        &self,
        day: Date,
        fields: &[String],
    ) -> impl Future<Output = Result<Vec<(String, CountRow)>, StoreError>> + Send;
    /// Replaces the listed value counts by `(other)` counts, in one
    /// transaction.
    fn fold(&self, folds: Vec<Fold>) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// One day's folding of a free-form field: these keys leave, their total
/// joins `(other)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    pub day: String,
    pub schema_version: String,
    pub field: String,
    pub keys: Vec<String>,
    pub total: i64,
}

/// The folds that keep each day's [`TOP_VALUES`] most frequent values of a
/// field (ties by key), from `(field, row)` value counts.
pub fn folds(rows: Vec<(String, CountRow)>) -> Vec<Fold> {
    let mut groups: BTreeMap<(String, String, String), Vec<CountRow>> = BTreeMap::new();
    for (field, row) in rows {
        if row.kind == VALUE && row.key != OTHER {
            groups
                .entry((row.day.clone(), row.schema_version.clone(), field))
                .or_default()
                .push(row);
        }
    }
    groups
        .into_iter()
        .filter(|(_, rows)| rows.len() > TOP_VALUES)
        .map(|((day, schema_version, field), mut rows)| {
            rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
            let beyond = rows.split_off(TOP_VALUES);
            Fold {
                day,
                schema_version,
                field,
                total: beyond.iter().map(|row| row.count).sum(),
                keys: beyond.into_iter().map(|row| row.key).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let folds = folds(rows);
        assert_eq!(folds.len(), 1, "only the day over the limit folds");
        let fold = &folds[0];
        assert_eq!(fold.keys, ["v004", "v003", "v002", "v001", "v000"]);
        assert_eq!(fold.total, 4 + 3 + 2 + 1);
    }
}
