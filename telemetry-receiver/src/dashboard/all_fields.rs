//! The exports of every field: each per-day row of the window, read
//! compactly (every string once, a row is six numbers), summed over the
//! shards, ordered as [`super::data::read`] orders them, and folded for
//! the public view as [`super::k_anonymous`] folds them; then written to
//! the response a chunk at a time as it is sent (see [`super::stream`]).
//! What [`super::data::read`] of every field would give, in a tenth of
//! the memory and time.

use std::collections::{HashMap, HashSet};

use crate::aggregate::OTHER;
use crate::store::strings::Strings;
use crate::store::window::{CountSink, StoredCount};
use crate::store::{SessionRow, Store, StoreError};
use crate::Receiver;

use super::data::{numbers_by_field, NumberStats};
use super::public;
use super::window::Window;

/// One count row: field, day, version, kind and key as numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Row {
    pub field: u32,
    pub day: u32,
    pub version: u32,
    pub kind: u32,
    pub key: u32,
    pub count: i64,
}

impl Row {
    fn group(&self) -> (u32, u32, u32, u32) {
        (self.field, self.day, self.version, self.kind)
    }
}

/// Collects the stored rows, numbered.
#[derive(Default)]
struct Collect {
    fields: Strings,
    days: Strings,
    versions: Strings,
    kinds: Strings,
    keys: Strings,
    rows: Vec<Row>,
}

impl CountSink for Collect {
    fn add(&mut self, row: StoredCount<'_>) {
        let row = Row {
            field: self.fields.number(row.field),
            day: self.days.number(row.day),
            version: self.versions.number(row.schema_version),
            kind: self.kinds.number(row.kind),
            key: self.keys.number(row.key),
            count: row.count,
        };
        self.rows.push(row);
    }
}

/// One field of the export: its rows are `rows[range]` of [`AllFields`].
pub(super) struct FieldPart {
    pub path: String,
    pub kind: &'static str,
    pub description: Option<String>,
    pub rows: std::ops::Range<usize>,
    pub numbers: Vec<NumberStats>,
}

/// Every field's rows of a window, as the exports write them.
pub struct AllFields {
    pub(super) title: String,
    pub(super) window: Window,
    pub(super) public_k: Option<u32>,
    pub(super) sessions: Vec<SessionRow>,
    pub(super) fields: Vec<FieldPart>,
    pub(super) rows: Vec<Row>,
    days: Strings,
    versions: Strings,
    kinds: Strings,
    keys: Strings,
}

/// A count row's strings, as the exports write them.
#[derive(serde::Serialize)]
pub(super) struct CountText<'a> {
    pub day: &'a str,
    pub schema_version: &'a str,
    pub kind: &'a str,
    pub key: &'a str,
    pub count: i64,
}

impl AllFields {
    pub(super) fn text(&self, row: &Row) -> CountText<'_> {
        CountText {
            day: self.days.text(row.day),
            schema_version: self.versions.text(row.version),
            kind: self.kinds.text(row.kind),
            key: self.keys.text(row.key),
            count: row.count,
        }
    }
}

/// Reads every field's rows of `window`, the public view's (`Some(k)`:
/// filtered as [`super::k_anonymous`] filters) or all of them.
pub async fn read_all<S: Store>(
    receiver: &Receiver<S>,
    window: Window,
    public_k: Option<u32>,
) -> Result<AllFields, StoreError> {
    let store = &receiver.store;
    let mut collect = Collect::default();
    // `(other)` has a number, for the rows the public view folds into it.
    collect.keys.number(OTHER);
    let (sessions, numbers, collect) = tokio::try_join!(
        store.sessions(window.from, window.to),
        store.all_numbers(window.from, window.to),
        receiver.past_days.scan_counts(
            store,
            receiver.clock.today(),
            window.from,
            window.to,
            collect
        ),
    )?;
    let Collect {
        mut fields,
        mut days,
        mut versions,
        mut kinds,
        mut keys,
        mut rows,
    } = collect;
    let ranks = [&mut fields, &mut days, &mut versions, &mut kinds, &mut keys].map(Strings::rank);
    // `(other)` was the first key numbered.
    let other = ranks[4][0];
    for row in &mut rows {
        row.field = ranks[0][row.field as usize];
        row.day = ranks[1][row.day as usize];
        row.version = ranks[2][row.version as usize];
        row.kind = ranks[3][row.kind as usize];
        row.key = ranks[4][row.key as usize];
    }
    let mut rows = sum_shards(rows);
    let mut sessions = sessions;
    let mut numbers = numbers_by_field(numbers);
    if let Some(k) = public_k {
        let k = i64::from(k);
        rows = fold(rows, k, other, |key| keys.text(key));
        sessions = public::fold_sessions(sessions, k);
        for rows in numbers.values_mut() {
            public::hide_numbers(rows, k);
        }
    }
    let rows = order_by_count(rows);
    let schemas = receiver.current_schemas();
    let mut parts = Vec::new();
    for (path, kind) in &schemas.fields {
        let start = rows.partition_point(|row| fields.text(row.field) < path.as_str());
        let end = rows.partition_point(|row| fields.text(row.field) <= path.as_str());
        parts.push(FieldPart {
            path: path.clone(),
            kind: kind.name(),
            description: schemas.descriptions.get(path).cloned(),
            rows: start..end,
            numbers: match kind {
                crate::schema::FieldKind::Number => numbers.remove(path).unwrap_or_default(),
                _ => Vec::new(),
            },
        });
    }
    Ok(AllFields {
        title: schemas.title.clone(),
        window,
        public_k,
        sessions,
        fields: parts,
        rows,
        days,
        versions,
        kinds,
        keys,
    })
}

/// Rows of one field, day, version, kind and key summed (the shards), in
/// that order.
fn sum_shards(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_unstable_by_key(|row| (row.group(), row.key));
    rows.dedup_by(|later, kept| {
        let same = (later.group(), later.key) == (kept.group(), kept.key);
        if same {
            kept.count += later.count;
        }
        same
    });
    rows
}

/// Each field, day, version and kind's rows ordered by count (most
/// first), then key: as [`super::data::sort_counts`] orders them.
fn order_by_count(mut rows: Vec<Row>) -> Vec<Row> {
    rows.sort_unstable_by(|a, b| {
        a.group()
            .cmp(&b.group())
            .then(b.count.cmp(&a.count))
            .then(a.key.cmp(&b.key))
    });
    rows
}

/// The public view's rows (summed, as [`sum_shards`] leaves them): each
/// value [`public::is_rare`] finds rare joins `(other)`, as
/// [`super::k_anonymous`] folds per-day rows.
fn fold<'a>(rows: Vec<Row>, k: i64, other: u32, key_text: impl Fn(u32) -> &'a str) -> Vec<Row> {
    // The most of each field, kind and key in one day, all versions of
    // the day together.
    let mut per_day: HashMap<(u32, u32, u32, u32), i64> = HashMap::new();
    for row in &rows {
        *per_day
            .entry((row.field, row.kind, row.key, row.day))
            .or_default() += row.count;
    }
    let mut most: HashMap<(u32, u32, u32), i64> = HashMap::new();
    for ((field, kind, key, _), count) in per_day {
        let entry = most.entry((field, kind, key)).or_default();
        *entry = (*entry).max(count);
    }
    let rare: HashSet<(u32, u32, u32)> = most
        .into_iter()
        .filter(|((_, _, key), count)| public::is_rare(key_text(*key), *count, k))
        .map(|(value, _)| value)
        .collect();
    if rare.is_empty() {
        return rows;
    }
    let folded = rows
        .into_iter()
        .map(|mut row| {
            if rare.contains(&(row.field, row.kind, row.key)) {
                row.key = other;
            }
            row
        })
        .collect();
    sum_shards(folded)
}
