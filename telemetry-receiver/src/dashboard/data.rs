//! What a page, an API answer or an export shows, read from the store for
//! one window: the sessions per day and version, and each field's counts
//! and number statistics, as plain data. The views, the public filter and
//! the exports all start from this, so they cannot disagree.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::schema::FieldKind;
use crate::store::{CountRow, NumberRow, SessionRow, Store, StoreError};
use crate::Receiver;

use super::window::Window;

/// A number field's statistics of a day and version. `min` and `max` are
/// each one session's value, so the public view leaves them out (`null`);
/// it leaves out the `sum` of a day and version with fewer than k values
/// too (one value's sum is that value).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NumberStats {
    pub day: String,
    pub schema_version: String,
    pub count: i64,
    pub sum: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl From<NumberRow> for NumberStats {
    fn from(row: NumberRow) -> NumberStats {
        NumberStats {
            day: row.day,
            schema_version: row.schema_version,
            count: row.count,
            sum: Some(row.sum),
            min: Some(row.min),
            max: Some(row.max),
        }
    }
}

/// One field's aggregates in the window.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldData {
    /// The dotted path, as in the aggregates.
    pub path: String,
    pub kind: FieldKind,
    /// The field's why-text from the schema file, if it has one.
    pub description: Option<String>,
    /// By day, version, kind, count (most first), key (by bytes), on
    /// either engine (see [`sort_counts`]).
    pub counts: Vec<CountRow>,
    /// Only for number fields.
    pub numbers: Vec<NumberStats>,
}

/// Everything one window shows.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowData {
    pub title: String,
    pub window: Window,
    pub raw_retention_days: i64,
    /// `Some(k)` once the public filter has run (see `public`).
    pub public_k: Option<u32>,
    pub sessions: Vec<SessionRow>,
    pub fields: Vec<FieldData>,
}

/// Reads `window`'s aggregates of every field, or of `only` that one.
/// `only` must be a field of the schemas (the caller answers 404 first).
/// The answers about one field are drawn from this; the page and the
/// exports of every field read less ([`super::read_page`],
/// [`super::all_fields::read_all`]), and are tested against this read of
/// every field.
pub async fn read<S: Store>(
    receiver: &Receiver<S>,
    window: Window,
    only: Option<&str>,
) -> Result<WindowData, StoreError> {
    let sessions = receiver.store.sessions(window.from, window.to).await?;
    // Every field in one read of the window (see `store::window`); one
    // field alone in a read of its own.
    // Those in force, so a field of a schema reloaded by SIGHUP has its view.
    let schemas = receiver.current_schemas();
    let mut counts = BTreeMap::new();
    let mut numbers = BTreeMap::new();
    match only {
        None => {
            for (path, row) in receiver.store.all_counts(window.from, window.to).await? {
                counts.entry(path).or_insert_with(Vec::new).push(row);
            }
            numbers = numbers_by_field(receiver.store.all_numbers(window.from, window.to).await?);
        }
        Some(path) => {
            if let Some(kind) = schemas.fields.get(path) {
                let rows = receiver.store.counts(path, window.from, window.to).await?;
                counts.insert(path.to_owned(), rows);
                if *kind == FieldKind::Number {
                    let rows = receiver.store.numbers(path, window.from, window.to).await?;
                    let rows = rows.into_iter().map(NumberStats::from).collect();
                    numbers.insert(path.to_owned(), sort_numbers(rows));
                }
            }
        }
    }
    let mut fields = Vec::new();
    for (path, kind) in &schemas.fields {
        if only.is_some_and(|only| only != path) {
            continue;
        }
        let numbers = match kind {
            FieldKind::Number => numbers.remove(path).unwrap_or_default(),
            _ => Vec::new(),
        };
        fields.push(FieldData {
            path: path.clone(),
            kind: kind.clone(),
            description: schemas.descriptions.get(path).cloned(),
            counts: sort_counts(counts.remove(path).unwrap_or_default()),
            numbers,
        });
    }
    Ok(WindowData {
        title: schemas.title.clone(),
        window,
        raw_retention_days: receiver.raw_retention_days,
        public_k: None,
        sessions,
        fields,
    })
}

/// Counts in one order whichever engine and read they came from: by day,
/// version, kind, count (most first), then key by bytes (PostgreSQL would
/// order text by its collation).
pub fn sort_counts(mut rows: Vec<CountRow>) -> Vec<CountRow> {
    rows.sort_unstable_by(|a, b| {
        (&a.day, &a.schema_version, &a.kind)
            .cmp(&(&b.day, &b.schema_version, &b.kind))
            .then(b.count.cmp(&a.count))
            .then(a.key.cmp(&b.key))
    });
    rows
}

/// Number statistics of every field by field, each by day and version.
pub fn numbers_by_field(rows: Vec<(String, NumberRow)>) -> BTreeMap<String, Vec<NumberStats>> {
    let mut numbers: BTreeMap<String, Vec<NumberStats>> = BTreeMap::new();
    for (path, row) in rows {
        numbers.entry(path).or_default().push(row.into());
    }
    for rows in numbers.values_mut() {
        *rows = sort_numbers(std::mem::take(rows));
    }
    numbers
}

fn sort_numbers(mut rows: Vec<NumberStats>) -> Vec<NumberStats> {
    rows.sort_unstable_by(|a, b| (&a.day, &a.schema_version).cmp(&(&b.day, &b.schema_version)));
    rows
}
