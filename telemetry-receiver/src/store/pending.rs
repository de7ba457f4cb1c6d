//! A batch's aggregates as one line of text, to be added to the aggregate
//! tables later: PostgreSQL stores them beside the batch's raw reports, in
//! the same transaction, and folds them into the tables a moment later
//! (see `postgres/pending.rs`), so a batch writes one row instead of
//! updating one per key.
//!
//! The text is JSON. Numbers' sums, minima and maxima go as the bits of
//! their `f64`: a sum can overflow to infinity, which JSON cannot spell,
//! and a line that could not be read back would stop every fold after it.

use serde::{Deserialize, Serialize};

use crate::aggregate::{HISTOGRAM, SUM, VALUE};
use crate::store::batch::{Count, Numbers, Totals};

/// The columns of each table's rows, in [`Totals`]' order.
#[derive(Serialize, Deserialize)]
struct Lines {
    /// Day, version, sessions.
    sessions: Vec<(String, String, i64)>,
    /// Day, version, field, kind, key, amount, capped.
    counts: Vec<(String, String, String, String, String, i64, bool)>,
    /// Day, version, field, count, and the bits of sum, min and max.
    numbers: Vec<(String, String, String, i64, u64, u64, u64)>,
}

/// `totals` as one line of text.
pub fn encode(totals: &Totals) -> String {
    let lines = Lines {
        sessions: totals
            .sessions
            .iter()
            .map(|((day, version), sessions)| (day.clone(), version.clone(), *sessions))
            .collect(),
        counts: totals
            .counts
            .iter()
            .map(|((day, version, field, kind, key), count)| {
                let (day, version, field) = (day.clone(), version.clone(), field.clone());
                (
                    day,
                    version,
                    field,
                    (*kind).to_owned(),
                    key.clone(),
                    count.amount,
                    count.capped,
                )
            })
            .collect(),
        numbers: totals
            .numbers
            .iter()
            .map(|((day, version, field), n)| {
                let (day, version, field) = (day.clone(), version.clone(), field.clone());
                let bits = (n.sum.to_bits(), n.min.to_bits(), n.max.to_bits());
                (day, version, field, n.count, bits.0, bits.1, bits.2)
            })
            .collect(),
    };
    serde_json::to_string(&lines).expect("plain data always serializes")
}

/// Adds what `text` (from [`encode`]) holds to `totals`.
pub fn add_to(totals: &mut Totals, text: &str) -> Result<(), String> {
    let lines: Lines = serde_json::from_str(text)
        .map_err(|e| format!("a pending batch's aggregates do not read back: {e}"))?;
    for (day, version, sessions) in lines.sessions {
        *totals.sessions.entry((day, version)).or_default() += sessions;
    }
    for (day, version, field, kind, key, amount, capped) in lines.counts {
        let kind = [VALUE, SUM, HISTOGRAM]
            .into_iter()
            .find(|known| *known == kind)
            .ok_or_else(|| format!("a pending batch counts an unknown kind {kind:?}"))?;
        totals.add_count((day, version, field, kind, key), Count { amount, capped });
    }
    for (day, version, field, count, sum, min, max) in lines.numbers {
        let numbers = Numbers {
            count,
            sum: f64::from_bits(sum),
            min: f64::from_bits(min),
            max: f64::from_bits(max),
        };
        totals.add_numbers((day, version, field), numbers);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Observation;
    use crate::store::Ingest;

    fn report(key: &str, tier: &str, value: f64) -> Ingest {
        Ingest {
            day: crate::clock::parse_day("2026-11-25").unwrap(),
            version: "1.0".to_owned(),
            session_key: key.to_owned(),
            body: String::new(),
            observations: vec![
                Observation::Count {
                    field: "tier".to_owned(),
                    kind: VALUE,
                    key: tier.to_owned(),
                    amount: 1,
                },
                Observation::Capped {
                    field: "platforms".to_owned(),
                    kind: SUM,
                    key: "eks".to_owned(),
                    amount: 2,
                },
                Observation::Number {
                    field: "n".to_owned(),
                    value,
                },
            ],
        }
    }

    fn totals(reports: &[Ingest]) -> Totals {
        let mut totals = Totals::default();
        for report in reports {
            totals.add(report);
        }
        totals
    }

    #[test]
    fn pending_batches_add_up_to_one_batch_of_all_their_reports() {
        let reports = [
            report("a", "memory", 3.0),
            report("b", "postgres", -1.5),
            report("c", "memory", f64::MAX),
            report("d", "memory", f64::MAX),
        ];
        let mut added = Totals::default();
        for pair in reports.chunks(2) {
            add_to(&mut added, &encode(&totals(pair))).unwrap();
        }
        assert_eq!(added, totals(&reports));
        let n = &added.numbers[&("2026-11-25".into(), "1.0".into(), "n".into())];
        assert_eq!(n.sum, f64::INFINITY, "an overflowing sum reads back");
    }

    #[test]
    fn a_line_that_does_not_read_back_is_an_error_not_a_panic() {
        let mut totals = Totals::default();
        assert!(add_to(&mut totals, "{").is_err());
        let unknown_kind =
            r#"{"sessions":[],"counts":[["d","1.0","f","nope","k",1,false]],"numbers":[]}"#;
        let err = add_to(&mut totals, unknown_kind).unwrap_err();
        assert!(err.contains("\"nope\""), "{err}");
    }
}
