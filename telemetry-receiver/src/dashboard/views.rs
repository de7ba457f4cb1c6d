//! What each field's view shows, computed from [`PageData`] alone: the
//! tables (values with count and share), the lines over time, the
//! histogram and its estimated percentiles. No store, no HTML.

use std::collections::BTreeMap;

use crate::aggregate::{HISTOGRAM, OTHER, SUM, VALUE};
use crate::clock::parse_day;
use crate::schema::FieldKind;

use super::summary::{PageData, PageField};
use super::window::Window;

/// How many values get a line of their own over time; the rest are drawn
/// together as `(other)` (the table lists them all).
pub const LINES: usize = 8;
/// The percentiles estimated for number fields.
pub const PERCENTILES: [f64; 3] = [0.5, 0.9, 0.99];

/// A value, its count in the window and its share of the window's sessions.
#[derive(Clone, Debug, PartialEq)]
pub struct Share {
    pub key: String,
    pub count: i64,
    /// `count / sessions`; above 1 where a report can count a value more
    /// than once (fields inside lists of records).
    pub share: f64,
}

/// Lines of `(label, one point per day of the window)`, most common first.
pub type Lines = Vec<(String, Vec<Option<f64>>)>;

/// One log2 bucket of a number field: values in `[low, high)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub label: String,
    pub low: f64,
    pub high: f64,
    pub count: i64,
}

/// What one field's view shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// Value lists and strings: the table, and each value's share of the
    /// day's sessions over time.
    Values { table: Vec<Share>, over_time: Lines },
    /// String lists: each element's share of sessions.
    Elements { table: Vec<Share> },
    /// Maps of numbers: the sum per key (`share` is of the total sum).
    Sums { table: Vec<Share> },
    /// Numbers: the histogram and what it tells.
    Numbers {
        buckets: Vec<Bucket>,
        /// `(p, estimate)` for each of [`PERCENTILES`], if any value came.
        percentiles: Vec<(f64, f64)>,
        count: i64,
        mean: Option<f64>,
        min: Option<f64>,
        max: Option<f64>,
        /// Values in buckets the public view folds (not in the estimates).
        folded: i64,
    },
    /// Booleans: the counts, and the share of `true` per day.
    Boolean {
        table: Vec<Share>,
        true_share: Lines,
    },
}

/// One field's view.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub path: String,
    pub kind: FieldKind,
    pub description: Option<String>,
    pub body: Body,
}

/// The sessions view: per day by version, the legend ordered by share.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionsView {
    pub total: i64,
    pub table: Vec<Share>,
    pub per_day: Lines,
}

/// Sessions per day index of the window, all versions together.
fn sessions_per_day(data: &PageData) -> Vec<i64> {
    let mut days = vec![0; data.window.days() as usize];
    for row in &data.sessions {
        if let Some(index) = day_index(&data.window, &row.day) {
            days[index] += row.sessions;
        }
    }
    days
}

fn day_index(window: &Window, day: &str) -> Option<usize> {
    window.index(parse_day(day).ok()?)
}

/// Count per key over the window, and per key per day, for one count kind.
fn tally(
    window: &Window,
    field: &PageField,
    kind: &str,
) -> (BTreeMap<String, i64>, BTreeMap<String, Vec<i64>>) {
    let (mut totals, mut days) = (BTreeMap::new(), BTreeMap::<String, Vec<i64>>::new());
    for counts in field.counts.iter().filter(|counts| counts.kind == kind) {
        *totals.entry(counts.key.clone()).or_default() += counts.total();
        days.insert(counts.key.clone(), counts.per_day(window.days() as usize));
    }
    (totals, days)
}

/// Most common first (ties by key), `(other)` last.
fn table(totals: &BTreeMap<String, i64>, of: i64) -> Vec<Share> {
    let mut rows: Vec<Share> = totals
        .iter()
        .map(|(key, count)| Share {
            key: key.clone(),
            count: *count,
            share: if of > 0 {
                *count as f64 / of as f64
            } else {
                0.0
            },
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.key == OTHER)
            .cmp(&(b.key == OTHER))
            .then(b.count.cmp(&a.count))
            .then(a.key.cmp(&b.key))
    });
    rows
}

/// The first [`LINES`] keys of `table` as lines of `per_day / of_day`,
/// the rest summed as `(other)`.
fn share_lines(table: &[Share], per_day: &BTreeMap<String, Vec<i64>>, of_day: &[i64]) -> Lines {
    let share = |counts: &[i64]| -> Vec<Option<f64>> {
        counts
            .iter()
            .zip(of_day)
            .map(|(count, of)| (*of > 0).then(|| *count as f64 / *of as f64))
            .collect()
    };
    let mut lines = Lines::new();
    let mut rest = vec![0; of_day.len()];
    let mut has_rest = false;
    for (index, row) in table.iter().enumerate() {
        let Some(counts) = per_day.get(&row.key) else {
            continue;
        };
        if index < LINES && row.key != OTHER {
            lines.push((row.key.clone(), share(counts)));
        } else {
            has_rest = true;
            rest.iter_mut().zip(counts).for_each(|(sum, n)| *sum += n);
        }
    }
    if has_rest {
        lines.push((OTHER.to_owned(), share(&rest)));
    }
    lines
}

/// Every view of the page, in the schema's field order (by path).
pub fn views(data: &PageData) -> (SessionsView, Vec<View>) {
    let per_day = sessions_per_day(data);
    let total: i64 = per_day.iter().sum();
    (
        sessions_view(data, total),
        data.fields
            .iter()
            .map(|field| View {
                path: field.path.clone(),
                kind: field.kind.clone(),
                description: field.description.clone(),
                body: body(&data.window, field, total, &per_day),
            })
            .collect(),
    )
}

fn sessions_view(data: &PageData, total: i64) -> SessionsView {
    let (mut totals, mut days) = (BTreeMap::new(), BTreeMap::<String, Vec<i64>>::new());
    for row in &data.sessions {
        *totals.entry(row.schema_version.clone()).or_default() += row.sessions;
        if let Some(index) = day_index(&data.window, &row.day) {
            days.entry(row.schema_version.clone())
                .or_insert_with(|| vec![0; data.window.days() as usize])[index] += row.sessions;
        }
    }
    let table = table(&totals, total);
    let per_day = table
        .iter()
        .filter_map(|row| {
            let counts = days.get(&row.key)?;
            Some((
                row.key.clone(),
                counts.iter().map(|n| Some(*n as f64)).collect(),
            ))
        })
        .collect();
    SessionsView {
        total,
        table,
        per_day,
    }
}

fn body(window: &Window, field: &PageField, sessions: i64, per_day: &[i64]) -> Body {
    match field.kind {
        FieldKind::Value { .. } => {
            let (totals, days) = tally(window, field, VALUE);
            let table = table(&totals, sessions);
            let over_time = share_lines(&table, &days, per_day);
            Body::Values { table, over_time }
        }
        FieldKind::Elements => Body::Elements {
            table: table(&tally(window, field, VALUE).0, sessions),
        },
        FieldKind::MapSum => {
            let totals = tally(window, field, SUM).0;
            let sum = totals.values().sum();
            Body::Sums {
                table: table(&totals, sum),
            }
        }
        FieldKind::Boolean => {
            let (totals, days) = tally(window, field, VALUE);
            let answered: Vec<i64> = (0..per_day.len())
                .map(|i| days.values().map(|counts| counts[i]).sum())
                .collect();
            let table = table(&totals, sessions);
            let true_share = days
                .get("true")
                .map(|counts| {
                    let mut only_true = BTreeMap::new();
                    only_true.insert("true".to_owned(), counts.clone());
                    let row = [Share {
                        key: "true".to_owned(),
                        count: 0,
                        share: 0.0,
                    }];
                    share_lines(&row, &only_true, &answered)
                })
                .unwrap_or_default();
            Body::Boolean { table, true_share }
        }
        FieldKind::Number => numbers(field),
    }
}

fn numbers(field: &PageField) -> Body {
    let mut buckets = Vec::new();
    let mut folded = 0;
    let mut by_low: BTreeMap<i64, i64> = BTreeMap::new();
    for counts in field
        .counts
        .iter()
        .filter(|counts| counts.kind == HISTOGRAM)
    {
        match bucket_exponent(&counts.key) {
            Some(exponent) => *by_low.entry(exponent).or_default() += counts.total(),
            None => folded += counts.total(),
        }
    }
    for (exponent, count) in by_low {
        let (low, high) = if exponent < 0 {
            (0.0, 1.0)
        } else {
            (2f64.powi(exponent as i32), 2f64.powi(exponent as i32 + 1))
        };
        let label = if exponent < 0 {
            "<1".to_owned()
        } else {
            format!("2^{exponent}")
        };
        buckets.push(Bucket {
            label,
            low,
            high,
            count,
        });
    }
    let count: i64 = field.numbers.iter().map(|n| n.count).sum();
    // The mean of the days whose sum is shown.
    let (summed, sum) = field
        .numbers
        .iter()
        .filter_map(|n| Some((n.count, n.sum?)))
        .fold((0, 0.0), |(count, sum), (n, s)| (count + n, sum + s));
    let fold = |pick: fn(&super::data::NumberStats) -> Option<f64>, better: fn(f64, f64) -> f64| {
        field.numbers.iter().filter_map(pick).reduce(better)
    };
    let (min, max) = (fold(|n| n.min, f64::min), fold(|n| n.max, f64::max));
    Body::Numbers {
        percentiles: PERCENTILES
            .iter()
            .filter_map(|p| Some((*p, percentile(&buckets, *p, min, max)?)))
            .collect(),
        buckets,
        count,
        mean: (summed > 0).then(|| sum / summed as f64),
        min,
        max,
        folded,
    }
}

/// `-1` for the bucket of values below 1 (`0`), `k` for `2^k`; `None` for
/// `(other)`.
fn bucket_exponent(key: &str) -> Option<i64> {
    if key == "0" {
        return Some(-1);
    }
    key.strip_prefix("2^")?.parse().ok()
}

/// The `p`th percentile estimated from the buckets: the bucket holding
/// rank `p * n` is found from the cumulative counts, and the value is
/// interpolated linearly inside it (clamped to the known min and max), so
/// the estimate is off by less than the bucket's width (a factor of 2).
pub fn percentile(buckets: &[Bucket], p: f64, min: Option<f64>, max: Option<f64>) -> Option<f64> {
    let n: i64 = buckets.iter().map(|b| b.count).sum();
    if n == 0 {
        return None;
    }
    let rank = p * n as f64;
    let mut below = 0.0;
    for bucket in buckets {
        let count = bucket.count as f64;
        if below + count >= rank {
            let low = min.map_or(bucket.low, |min| min.clamp(bucket.low, bucket.high));
            let high = max.map_or(bucket.high, |max| max.clamp(low, bucket.high));
            let inside = if count > 0.0 {
                (rank - below) / count
            } else {
                0.0
            };
            return Some(low + (high - low) * inside);
        }
        below += count;
    }
    buckets.last().map(|b| max.unwrap_or(b.high))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(exponent: i32, count: i64) -> Bucket {
        Bucket {
            label: format!("2^{exponent}"),
            low: 2f64.powi(exponent),
            high: 2f64.powi(exponent + 1),
            count,
        }
    }

    #[test]
    fn percentiles_interpolate_inside_their_bucket() {
        // 50 values in [1, 2), 40 in [4, 8), 10 in [16, 32).
        let buckets = [bucket(0, 50), bucket(2, 40), bucket(4, 10)];
        assert_eq!(percentile(&buckets, 0.5, None, None), Some(2.0));
        assert_eq!(percentile(&buckets, 0.9, None, None), Some(8.0));
        let p99 = percentile(&buckets, 0.99, None, None).unwrap();
        assert!((16.0..32.0).contains(&p99), "{p99}");
        assert_eq!(
            percentile(&buckets, 0.99, None, Some(20.0)),
            Some(16.0 + 4.0 * 0.9)
        );
        assert_eq!(percentile(&[], 0.5, None, None), None);
    }

    #[test]
    fn tables_put_the_most_common_first_and_other_last() {
        let totals = BTreeMap::from([
            ("a".to_owned(), 1),
            (OTHER.to_owned(), 50),
            ("b".to_owned(), 3),
        ]);
        let keys: Vec<String> = table(&totals, 54).into_iter().map(|s| s.key).collect();
        assert_eq!(keys, ["b", "a", OTHER]);
    }
}
