//! What the page draws, read for one window without carrying every
//! per-day row: for each field, kind and value its count on each day,
//! all versions and shards of a day together. The tables are those
//! counts' sums, the lines a few values' days, and the public filter's
//! "most in a day" their largest day; a page needs nothing finer (the
//! exports do: see [`super::data`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use crate::schema::FieldKind;
use crate::store::window::{CountSink, StoredCount};
use crate::store::{SessionRow, Store, StoreError};
use crate::Receiver;

use super::data::{numbers_by_field, NumberStats, WindowData};
use super::window::Window;

/// One value's counts in the window: `(day index, count)` for each day it
/// was counted on, by day, one entry a day.
#[derive(Clone, Debug, PartialEq)]
pub struct DayCounts {
    pub kind: String,
    pub key: String,
    pub days: Vec<(usize, i64)>,
}

impl DayCounts {
    /// The count over the window.
    pub fn total(&self) -> i64 {
        self.days.iter().map(|(_, count)| count).sum()
    }

    /// The most counted on any one day.
    pub fn most_in_a_day(&self) -> i64 {
        self.days.iter().map(|(_, count)| *count).max().unwrap_or(0)
    }

    /// One count per day of a window of `days` days.
    pub fn per_day(&self, days: usize) -> Vec<i64> {
        let mut dense = vec![0; days];
        for (index, count) in &self.days {
            if let Some(day) = dense.get_mut(*index) {
                *day += count;
            }
        }
        dense
    }

    /// Adds `count` on day `index`, keeping one entry a day (the days of
    /// a value come mostly in order; [`DayCounts::settle`] merges the rest).
    fn add(&mut self, index: usize, count: i64) {
        match self.days.last_mut() {
            Some((last, sum)) if *last == index => *sum += count,
            _ => self.days.push((index, count)),
        }
    }

    /// Sorts the days and merges the entries of one day.
    pub fn settle(&mut self) {
        self.days.sort_unstable_by_key(|(index, _)| *index);
        self.days.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
    }
}

/// One field's part of the page.
#[derive(Clone, Debug, PartialEq)]
pub struct PageField {
    pub path: String,
    pub kind: FieldKind,
    pub description: Option<String>,
    /// One per kind and value, in no order.
    pub counts: Vec<DayCounts>,
    /// Only for number fields, by day and version.
    pub numbers: Vec<NumberStats>,
}

/// Everything the page of one window draws.
#[derive(Clone, Debug, PartialEq)]
pub struct PageData {
    pub title: String,
    pub window: Window,
    pub raw_retention_days: i64,
    /// `Some(k)` once the public filter has run (see `public`).
    pub public_k: Option<u32>,
    pub sessions: Vec<SessionRow>,
    pub fields: Vec<PageField>,
}

/// Reads what the page of `window` draws, for every field of the schemas
/// in force.
pub async fn read_page<S: Store>(
    receiver: &Receiver<S>,
    window: Window,
) -> Result<PageData, StoreError> {
    let store = &receiver.store;
    let (sessions, numbers, tally) = tokio::try_join!(
        store.sessions(window.from, window.to),
        store.all_numbers(window.from, window.to),
        receiver.past_days.scan_counts(
            store,
            receiver.clock.today(),
            window.from,
            window.to,
            Tally::new(window)
        ),
    )?;
    let mut counts = tally.finish();
    let mut numbers = numbers_by_field(numbers);
    let schemas = receiver.current_schemas();
    let fields = schemas
        .fields
        .iter()
        .map(|(path, kind)| PageField {
            path: path.clone(),
            kind: kind.clone(),
            description: schemas.descriptions.get(path).cloned(),
            counts: counts.remove(path).unwrap_or_default(),
            numbers: match kind {
                FieldKind::Number => numbers.remove(path).unwrap_or_default(),
                _ => Vec::new(),
            },
        })
        .collect();
    Ok(PageData {
        title: schemas.title.clone(),
        window,
        raw_retention_days: receiver.raw_retention_days,
        public_k: None,
        sessions,
        fields,
    })
}

/// Sums the stored rows of a window into [`DayCounts`], by field.
struct Tally {
    /// Each day of the window by its text, as stored.
    days: HashMap<String, usize>,
    /// The last row's day, as most rows come in days.
    last_day: (String, usize),
    /// Field, kind and key, each but the last after its length (no text
    /// can make two of them one), to the index of their counts in
    /// `counts`: looked up by the row's text written into `probe`, so a
    /// string is copied only for a value's first row.
    index: HashMap<String, usize>,
    probe: String,
    counts: Vec<(String, DayCounts)>,
}

impl Tally {
    fn new(window: Window) -> Tally {
        let days = (0..window.days() as usize)
            .map(|index| (window.day(index).to_string(), index))
            .collect();
        Tally {
            days,
            last_day: (String::new(), 0),
            index: HashMap::new(),
            probe: String::new(),
            counts: Vec::new(),
        }
    }

    /// The counts by field path.
    fn finish(self) -> BTreeMap<String, Vec<DayCounts>> {
        let mut by_field: BTreeMap<String, Vec<DayCounts>> = BTreeMap::new();
        for (field, mut counts) in self.counts {
            counts.settle();
            by_field.entry(field).or_default().push(counts);
        }
        by_field
    }

    fn day(&mut self, day: &str) -> Option<usize> {
        if self.last_day.0 != day {
            let index = *self.days.get(day)?;
            self.last_day = (day.to_owned(), index);
        }
        Some(self.last_day.1)
    }
}

impl CountSink for Tally {
    fn add(&mut self, row: StoredCount<'_>) {
        let Some(day) = self.day(row.day) else {
            return;
        };
        self.probe.clear();
        let _ = write!(
            self.probe,
            "{}:{}{}:{}{}",
            row.field.len(),
            row.field,
            row.kind.len(),
            row.kind,
            row.key
        );
        let at = match self.index.get(self.probe.as_str()) {
            Some(at) => *at,
            None => {
                self.index.insert(self.probe.clone(), self.counts.len());
                self.counts.push((
                    row.field.to_owned(),
                    DayCounts {
                        kind: row.kind.to_owned(),
                        key: row.key.to_owned(),
                        days: Vec::new(),
                    },
                ));
                self.counts.len() - 1
            }
        };
        self.counts[at].1.add(day, row.count);
    }
}

impl From<&WindowData> for PageData {
    /// The page's data summed from the per-day rows: what [`read_page`]
    /// reads, by the longer way (its tests compare the two).
    fn from(data: &WindowData) -> PageData {
        let window = data.window;
        let fields = data
            .fields
            .iter()
            .map(|field| {
                let mut tally = Tally::new(window);
                for row in &field.counts {
                    tally.add(StoredCount {
                        field: &field.path,
                        day: &row.day,
                        schema_version: &row.schema_version,
                        kind: &row.kind,
                        key: &row.key,
                        count: row.count,
                    });
                }
                PageField {
                    path: field.path.clone(),
                    kind: field.kind.clone(),
                    description: field.description.clone(),
                    counts: tally.finish().remove(&field.path).unwrap_or_default(),
                    numbers: field.numbers.clone(),
                }
            })
            .collect();
        PageData {
            title: data.title.clone(),
            window,
            raw_retention_days: data.raw_retention_days,
            public_k: data.public_k,
            sessions: data.sessions.clone(),
            fields,
        }
    }
}
