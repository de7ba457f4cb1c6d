//! The counts of past days, kept in memory between the dashboard's reads
//! (the page's and the exports' of every field).
//!
//! A day's counts change while that day's reports arrive and, after it,
//! only when the maintenance job folds rare keys into `(other)`, which
//! changes the store's generation ([`Store::generation`], in the fold's
//! transaction, whichever receiver runs it). So a page or an export of a
//! long window reads the days before yesterday from here (read from the
//! store once, kept while the generation stays the same) and only
//! yesterday and today from the store. Yesterday counts as open: receivers
//! on several machines may disagree on the day for a moment at midnight.
//!
//! At most [`MAX_KEPT_ROWS`] rows are kept. What is kept grows by a day
//! each day; past the bound, only what a read asks for is kept instead,
//! and a read that alone is past it goes to the store, as if nothing were
//! kept.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use time::{Date, Duration};
use tokio::sync::Mutex;

use super::strings::Strings;
use super::window::{CountSink, StoredCount};
use super::{Store, StoreError};
use crate::clock::day_text;

/// The most stored count rows kept (some 24 bytes each, and each string
/// once): 400 days of the nested example's schema are 83,000.
pub const MAX_KEPT_ROWS: usize = 1_000_000;

/// What is kept of past days, for a receiver's dashboard.
pub struct PastDays {
    kept: Mutex<Option<Arc<Kept>>>,
    /// The most rows kept: [`MAX_KEPT_ROWS`] unless set.
    max_rows: AtomicUsize,
}

impl Default for PastDays {
    fn default() -> PastDays {
        PastDays {
            kept: Mutex::default(),
            max_rows: AtomicUsize::new(MAX_KEPT_ROWS),
        }
    }
}

/// The stored count rows of the days `from` to `to` (both included), as
/// the store had them at `generation`.
#[derive(Clone)]
struct Kept {
    generation: i64,
    from: Date,
    to: Date,
    strings: Strings,
    /// Each day's rows, by the day's text (ISO dates sort as days).
    days: BTreeMap<String, Vec<KeptRow>>,
    rows: usize,
}

/// One stored row; the strings are numbers of [`Kept::strings`].
#[derive(Clone, Copy)]
struct KeptRow {
    field: u32,
    version: u32,
    kind: u32,
    key: u32,
    count: i64,
}

impl PastDays {
    /// Hands every stored count row of `from` to `to` (both included) to
    /// `sink`, as [`Store::scan_counts`] does: the past days' rows (those
    /// before yesterday, `today` being the receiver's) from what is kept,
    /// the others from `store`.
    pub async fn scan_counts<S: Store, K: CountSink>(
        &self,
        store: &S,
        today: Date,
        from: Date,
        to: Date,
        mut sink: K,
    ) -> Result<K, StoreError> {
        let last_past = today - Duration::days(2);
        if from > last_past {
            return store.scan_counts(from, to, sink).await;
        }
        let past_to = to.min(last_past);
        match self.kept(store, from, past_to).await? {
            Some(kept) => kept.replay(from, past_to, &mut sink),
            None => sink = store.scan_counts(from, past_to, sink).await?,
        }
        if to > past_to {
            sink = store
                .scan_counts(past_to + Duration::days(1), to, sink)
                .await?;
        }
        Ok(sink)
    }

    /// Reads the past days of the longest window the page links (the 365
    /// days to `today`) now, unless they are kept already: the
    /// maintenance job runs this at start and after each of its runs
    /// (after its own folds), so the page does not wait for the store
    /// after either.
    pub async fn keep_last_year<S: Store>(&self, store: &S, today: Date) -> Result<(), StoreError> {
        let from = today - Duration::days(364);
        self.kept(store, from, today - Duration::days(2))
            .await
            .map(drop)
    }

    /// Keeps at most `max_rows` rows from now on (what is kept already
    /// stays until it is read again).
    pub fn set_max_rows(&self, max_rows: usize) {
        self.max_rows.store(max_rows, Ordering::Relaxed);
    }

    /// How many stored rows are kept now.
    pub async fn kept_rows(&self) -> usize {
        self.kept.lock().await.as_ref().map_or(0, |kept| kept.rows)
    }

    /// What is kept, covering `from` to `to` at the store's generation:
    /// read from the store where it does not yet (the days not kept, or
    /// every day after a fold); `None` if `from` to `to` alone are past
    /// the bound.
    async fn kept<S: Store>(
        &self,
        store: &S,
        from: Date,
        to: Date,
    ) -> Result<Option<Arc<Kept>>, StoreError> {
        // Read before the rows: rows read after a fold are then kept
        // under the number before it at worst, and read again next time.
        let generation = store.generation().await?;
        let max_rows = self.max_rows.load(Ordering::Relaxed);
        let mut kept = self.kept.lock().await;
        let current = kept.as_ref().filter(|kept| kept.generation == generation);
        if let Some(current) = current {
            if current.from <= from && to <= current.to {
                return Ok(Some(Arc::clone(current)));
            }
        }
        // What is kept grows by a day each day; when that would pass the
        // bound, only what this read asks for is kept instead.
        let grown = match current {
            Some(current) => fill(store, (**current).clone(), from, to, max_rows).await?,
            None => None,
        };
        let next = match grown {
            Some(grown) => grown,
            None => match fill(store, Kept::empty(generation, from), from, to, max_rows).await? {
                Some(fresh) => fresh,
                None => {
                    *kept = None;
                    return Ok(None);
                }
            },
        };
        let next = Arc::new(next);
        *kept = Some(Arc::clone(&next));
        Ok(Some(next))
    }
}

/// `base` with the days from `from` to `to` it lacks read from the store;
/// `None` past `max_rows`.
async fn fill<S: Store>(
    store: &S,
    base: Kept,
    from: Date,
    to: Date,
    max_rows: usize,
) -> Result<Option<Kept>, StoreError> {
    let wanted = (from.min(base.from), to.max(base.to));
    let missing = match base.is_empty() {
        true => vec![(from, to)],
        false => [
            (wanted.0, base.from - Duration::days(1)),
            (base.to + Duration::days(1), wanted.1),
        ]
        .into_iter()
        .filter(|(first, last)| first <= last)
        .collect(),
    };
    let mut next = Filling {
        kept: base,
        max_rows,
        overflowed: false,
    };
    for (first, last) in missing {
        next = store.scan_counts(first, last, next).await?;
    }
    if next.overflowed {
        return Ok(None);
    }
    next.kept.from = wanted.0;
    next.kept.to = wanted.1;
    Ok(Some(next.kept))
}

impl Kept {
    fn empty(generation: i64, from: Date) -> Kept {
        Kept {
            generation,
            from,
            to: from - Duration::days(1),
            strings: Strings::default(),
            days: BTreeMap::new(),
            rows: 0,
        }
    }

    fn is_empty(&self) -> bool {
        self.to < self.from
    }

    /// Hands the rows of `from` to `to` to `sink`.
    fn replay<K: CountSink>(&self, from: Date, to: Date, sink: &mut K) {
        for (day, rows) in self.days.range(day_text(from)..=day_text(to)) {
            for row in rows {
                sink.add(StoredCount {
                    field: self.strings.text(row.field),
                    day,
                    schema_version: self.strings.text(row.version),
                    kind: self.strings.text(row.kind),
                    key: self.strings.text(row.key),
                    count: row.count,
                });
            }
        }
    }
}

/// What is kept, as the store hands it more rows.
struct Filling {
    kept: Kept,
    max_rows: usize,
    overflowed: bool,
}

impl CountSink for Filling {
    fn add(&mut self, row: StoredCount<'_>) {
        if self.overflowed || self.kept.rows >= self.max_rows {
            self.overflowed = true;
            return;
        }
        let kept = &mut self.kept;
        let strings = &mut kept.strings;
        let stored = KeptRow {
            field: strings.number(row.field),
            version: strings.number(row.schema_version),
            kind: strings.number(row.kind),
            key: strings.number(row.key),
            count: row.count,
        };
        match kept.days.get_mut(row.day) {
            Some(rows) => rows.push(stored),
            None => {
                kept.days.insert(row.day.to_owned(), vec![stored]);
            }
        }
        kept.rows += 1;
    }
}
