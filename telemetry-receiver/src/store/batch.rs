//! What one batch of reports adds to the aggregates, summed per row before
//! it reaches the database: a batch of 50 reports of one day updates the
//! day's session row once, not 50 times.
//!
//! Every map here is ordered, and the engines apply the rows in that
//! order: two batches committing at once (two connections, or two
//! receivers on one PostgreSQL database) take their row locks in the same
//! order, so they wait for each other but never deadlock.

use std::collections::BTreeMap;

use crate::aggregate::Observation;
use crate::clock::day_text;
use crate::store::Ingest;

/// A row of `agg_counts`: day, version, field, kind, key.
pub type CountKey = (String, String, String, &'static str, String);

/// What the stored reports of a batch add.
#[derive(Debug, Default, PartialEq)]
pub struct Totals {
    /// Sessions per day and version.
    pub sessions: BTreeMap<(String, String), i64>,
    /// Counts per row, and whether the key is capped (see
    /// [`Observation::Capped`]).
    pub counts: BTreeMap<CountKey, Count>,
    /// Number statistics per day, version and field.
    pub numbers: BTreeMap<(String, String, String), Numbers>,
}

/// An amount to add to one count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    pub amount: i64,
    /// The key was invented by a sender: it goes through the day's cap.
    pub capped: bool,
}

/// Count, sum, min and max of some numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Numbers {
    pub count: i64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Totals {
    /// Adds one stored report.
    pub fn add(&mut self, ingest: &Ingest) {
        let day = day_text(ingest.day);
        let version = &ingest.version;
        *self
            .sessions
            .entry((day.clone(), version.clone()))
            .or_default() += 1;
        for observation in &ingest.observations {
            match observation {
                Observation::Count {
                    field,
                    kind,
                    key,
                    amount,
                } => self.count(&day, version, field, kind, key, *amount, false),
                Observation::Capped {
                    field,
                    kind,
                    key,
                    amount,
                } => self.count(&day, version, field, kind, key, *amount, true),
                Observation::Number { field, value } => self.add_numbers(
                    (day.clone(), version.clone(), field.clone()),
                    Numbers {
                        count: 1,
                        sum: *value,
                        min: *value,
                        max: *value,
                    },
                ),
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // One row's columns, named.
    fn count(
        &mut self,
        day: &str,
        version: &str,
        field: &str,
        kind: &'static str,
        key: &str,
        amount: i64,
        capped: bool,
    ) {
        let row = (
            day.to_owned(),
            version.to_owned(),
            field.to_owned(),
            kind,
            key.to_owned(),
        );
        self.add_count(row, Count { amount, capped });
    }

    /// Adds `count` to the row `key`: the amounts add up.
    pub fn add_count(&mut self, key: CountKey, count: Count) {
        self.counts
            .entry(key)
            .or_insert(Count {
                amount: 0,
                capped: count.capped,
            })
            .amount += count.amount;
    }

    /// Adds `numbers` to the statistics of `key` (day, version, field):
    /// counts and sums add up, the extremes are kept.
    pub fn add_numbers(&mut self, key: (String, String, String), numbers: Numbers) {
        let kept = self.numbers.entry(key).or_insert(Numbers {
            count: 0,
            sum: 0.0,
            min: numbers.min,
            max: numbers.max,
        });
        kept.count += numbers.count;
        kept.sum += numbers.sum;
        kept.min = kept.min.min(numbers.min);
        kept.max = kept.max.max(numbers.max);
    }
}

/// The order a batch's raw inserts run in: by day and session key (the
/// raw table's primary key), so concurrent batches lock keys in one order;
/// reports with equal keys keep their arrival order, so the first one is
/// the one stored.
pub fn insert_order(batch: &[Ingest]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by(|&a, &b| {
        (batch[a].day, &batch[a].session_key).cmp(&(batch[b].day, &batch[b].session_key))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{SUM, VALUE};

    fn ingest(key: &str, observations: Vec<Observation>) -> Ingest {
        Ingest {
            day: crate::clock::parse_day("2026-11-25").unwrap(),
            version: "1.0".to_owned(),
            session_key: key.to_owned(),
            body: String::new(),
            observations,
        }
    }

    #[test]
    fn a_batch_sums_per_row_and_inserts_in_key_order() {
        let tier = |key: &str| Observation::Count {
            field: "tier".to_owned(),
            kind: VALUE,
            key: key.to_owned(),
            amount: 1,
        };
        let map = Observation::Capped {
            field: "platforms".to_owned(),
            kind: SUM,
            key: "eks".to_owned(),
            amount: 2,
        };
        let number = |value| Observation::Number {
            field: "n".to_owned(),
            value,
        };
        let batch = vec![
            ingest("b", vec![tier("memory"), map.clone(), number(3.0)]),
            ingest("a", vec![tier("memory"), map, number(-1.0)]),
            ingest("b", vec![tier("postgres")]),
        ];
        let mut totals = Totals::default();
        for one in &batch {
            totals.add(one);
        }
        assert_eq!(insert_order(&batch), [1, 0, 2]);
        let day = || "2026-11-25".to_owned();
        assert_eq!(totals.sessions[&(day(), "1.0".to_owned())], 3);
        let row = |field: &str, kind, key: &str| {
            totals.counts[&(day(), "1.0".into(), field.into(), kind, key.into())]
        };
        assert_eq!(
            row("tier", VALUE, "memory"),
            Count {
                amount: 2,
                capped: false
            }
        );
        assert_eq!(
            row("platforms", SUM, "eks"),
            Count {
                amount: 4,
                capped: true
            }
        );
        let numbers = totals.numbers[&(day(), "1.0".into(), "n".into())];
        assert_eq!(
            (numbers.count, numbers.sum, numbers.min, numbers.max),
            (2, 2.0, -1.0, 3.0)
        );
    }
}
