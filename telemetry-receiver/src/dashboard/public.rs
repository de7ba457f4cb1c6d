//! The public view's k-anonymity: a value seen by fewer than k sessions in
//! the window is shown only inside `(other)`, in every view, table, chart,
//! JSON answer and CSV row, because they are all drawn from what
//! [`k_anonymous`] (of per-day rows) or [`k_anonymous_page`] (of the
//! page's day counts) returns. Both apply [`is_rare`] to the same count.
//!
//! How many sessions saw a value: the receiver never joins a session's
//! nonces across days (the page promises it), so the number of distinct
//! sessions in a window is not known. What is known is that on one day
//! every count comes from distinct sessions; a value's count is the most
//! sessions that sent it on any one day of the window. A window sum would
//! let one installation reporting daily reveal its value alone within k
//! days; this count cannot be reached by fewer than k sessions.
//!
//! Limits, said in the README too: a field inside a list of records
//! (`gpu_devices[].model`) can count several times per report, and a map's
//! keys are known only by their sums, so for those the count is one of
//! observations, not of sessions.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::aggregate::OTHER;
use crate::store::{CountRow, SessionRow};

use super::data::{sort_counts, NumberStats, WindowData};
use super::summary::{DayCounts, PageData};

/// The default k.
pub const DEFAULT_K: u32 = 10;

/// `data` with every rare value folded into `(other)`, number extremes
/// left out (and the sums of fewer than k numbers), and rare schema
/// versions folded too.
pub fn k_anonymous(mut data: WindowData, k: u32) -> WindowData {
    let k = i64::from(k);
    data.public_k = Some(k as u32);
    data.sessions = fold_sessions(data.sessions, k);
    for field in &mut data.fields {
        field.counts = fold_counts(std::mem::take(&mut field.counts), k);
        hide_numbers(&mut field.numbers, k);
    }
    data
}

/// The page's `data` filtered as [`k_anonymous`] filters per-day rows:
/// the same values folded, the same numbers left out.
pub fn k_anonymous_page(mut data: PageData, k: u32) -> PageData {
    let k = i64::from(k);
    data.public_k = Some(k as u32);
    data.sessions = fold_sessions(data.sessions, k);
    for field in &mut data.fields {
        field.counts = fold_day_counts(std::mem::take(&mut field.counts), k);
        hide_numbers(&mut field.numbers, k);
    }
    data
}

/// Whether a value of a field and kind is shown only inside `(other)`:
/// `most_in_a_day` is the most it was counted on any one day of the
/// window, all versions of that day together (see the module's doc).
pub fn is_rare(key: &str, most_in_a_day: i64, k: i64) -> bool {
    most_in_a_day < k && key != OTHER
}

/// Extremes are one session's value; a sum of fewer than k values is
/// hardly more.
pub(super) fn hide_numbers(numbers: &mut [NumberStats], k: i64) {
    for number in numbers {
        number.min = None;
        number.max = None;
        if number.count < k {
            number.sum = None;
        }
    }
}

/// Rare values' day counts and `(other)`'s summed per kind into one
/// `(other)`.
fn fold_day_counts(counts: Vec<DayCounts>, k: i64) -> Vec<DayCounts> {
    let mut kept = Vec::with_capacity(counts.len());
    let mut other: BTreeMap<String, DayCounts> = BTreeMap::new();
    for counts in counts {
        if counts.key == OTHER || is_rare(&counts.key, counts.most_in_a_day(), k) {
            let into = other
                .entry(counts.kind.clone())
                .or_insert_with(|| DayCounts {
                    kind: counts.kind.clone(),
                    key: OTHER.to_owned(),
                    days: Vec::new(),
                });
            into.days.extend(counts.days);
        } else {
            kept.push(counts);
        }
    }
    for mut folded in other.into_values() {
        folded.settle();
        kept.push(folded);
    }
    kept
}

/// The most any one day counted of each `(kind, key)`, all versions of a
/// day together.
fn most_in_a_day(rows: &[CountRow]) -> HashMap<(&str, &str), i64> {
    let mut per_day: HashMap<(&str, &str, &str), i64> = HashMap::new();
    for row in rows {
        *per_day
            .entry((row.kind.as_str(), row.key.as_str(), row.day.as_str()))
            .or_default() += row.count;
    }
    let mut most: HashMap<(&str, &str), i64> = HashMap::new();
    for ((kind, key, _), count) in per_day {
        let entry = most.entry((kind, key)).or_default();
        *entry = (*entry).max(count);
    }
    most
}

fn fold_counts(rows: Vec<CountRow>, k: i64) -> Vec<CountRow> {
    // Kind by kind, the keys to fold.
    let mut rare: HashMap<String, HashSet<String>> = HashMap::new();
    for ((kind, key), count) in most_in_a_day(&rows) {
        if is_rare(key, count, k) {
            rare.entry(kind.to_owned())
                .or_default()
                .insert(key.to_owned());
        }
    }
    if rare.is_empty() {
        return rows;
    }
    // Rows that stay pass through; folded ones and `(other)` sum up per
    // day, version and kind.
    let mut other: HashMap<(String, String, String), i64> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let folded = row.key == OTHER
            || rare
                .get(&row.kind)
                .is_some_and(|keys| keys.contains(&row.key));
        if folded {
            *other
                .entry((row.day, row.schema_version, row.kind))
                .or_default() += row.count;
        } else {
            out.push(row);
        }
    }
    out.extend(
        other
            .into_iter()
            .map(|((day, schema_version, kind), count)| CountRow {
                day,
                schema_version,
                kind,
                key: OTHER.to_owned(),
                count,
            }),
    );
    sort_counts(out)
}

/// Schema versions are values too: one seen by fewer than k sessions on
/// every day is shown as `(other)`.
pub(super) fn fold_sessions(rows: Vec<SessionRow>, k: i64) -> Vec<SessionRow> {
    let mut most: BTreeMap<String, i64> = BTreeMap::new();
    for row in &rows {
        let entry = most.entry(row.schema_version.clone()).or_default();
        *entry = (*entry).max(row.sessions);
    }
    let mut merged: BTreeMap<(String, String), i64> = BTreeMap::new();
    for row in rows {
        let version = if most[&row.schema_version] < k {
            OTHER.to_owned()
        } else {
            row.schema_version
        };
        *merged.entry((row.day, version)).or_default() += row.sessions;
    }
    merged
        .into_iter()
        .map(|((day, schema_version), sessions)| SessionRow {
            day,
            schema_version,
            sessions,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::VALUE;

    fn row(day: &str, key: &str, count: i64) -> CountRow {
        CountRow {
            day: day.to_owned(),
            schema_version: "1.0".to_owned(),
            kind: VALUE.to_owned(),
            key: key.to_owned(),
            count,
        }
    }

    #[test]
    fn a_value_below_k_on_every_day_joins_other() {
        let rows = vec![
            row("2026-01-01", "linux", 12),
            row("2026-01-01", "plan9", 9),
            row("2026-01-01", OTHER, 2),
            row("2026-01-02", "plan9", 9),
            row("2026-01-02", "haiku", 10),
        ];
        let folded = fold_counts(rows, 10);
        let keys: Vec<(&str, &str, i64)> = folded
            .iter()
            .map(|r| (r.day.as_str(), r.key.as_str(), r.count))
            .collect();
        assert_eq!(
            keys,
            [
                ("2026-01-01", "linux", 12),
                ("2026-01-01", OTHER, 11),
                ("2026-01-02", "haiku", 10),
                ("2026-01-02", OTHER, 9),
            ],
            "18 reports over two days are not 10 sessions; 10 on one day are"
        );
    }

    #[test]
    fn rare_versions_fold_too() {
        let session = |day: &str, version: &str, sessions| SessionRow {
            day: day.to_owned(),
            schema_version: version.to_owned(),
            sessions,
        };
        let folded = fold_sessions(vec![session("d1", "1.0", 40), session("d1", "0.9", 3)], 10);
        assert_eq!(folded, [session("d1", OTHER, 3), session("d1", "1.0", 40)]);
    }
}
