//! What one report adds to the aggregates, as plain data: the stores apply
//! it in the same transaction as the raw insert.

use serde_json::Value;

use crate::schema::{FieldKind, FieldSpec};

/// The label of keys beyond a day's 100 most frequent of a field whose
/// keys a sender invents: a free-form string's values, a string list's
/// elements, a map's keys.
pub const OTHER: &str = "(other)";
/// How many keys of such a field a past day keeps.
pub const TOP_VALUES: usize = 100;
/// How many rows (keys and `(other)`) such a field may have while its day
/// is running; a new key beyond them counts as `(other)` at once. Ten
/// times [`TOP_VALUES`], so the day's end still picks its 100 from real
/// counts; without it, a sender inventing keys could grow the aggregates
/// without bound until the day ends.
pub const DAY_CAP: i64 = 1000;

/// One addition to a per-day, per-version count.
#[derive(Clone, Debug, PartialEq)]
pub enum Observation {
    /// `count(field, kind, key) += amount`: values, elements, booleans,
    /// map sums (`kind` says which) and histogram buckets.
    Count {
        field: String,
        kind: &'static str,
        key: String,
        amount: i64,
    },
    /// `count(field, kind, key) += amount` for a key a sender may invent
    /// (a free-form string's value, a string list's element, a map's key),
    /// or `(other)` when `key` is new and the field has [`DAY_CAP`] rows of
    /// that kind today.
    Capped {
        field: String,
        kind: &'static str,
        key: String,
        amount: i64,
    },
    /// One number: count, sum, min, max.
    Number { field: String, value: f64 },
}

/// Count kinds, as stored.
pub const VALUE: &str = "value";
pub const SUM: &str = "sum";
pub const HISTOGRAM: &str = "histogram";

/// The observations `report` adds, for the fields of its version.
pub fn observe(fields: &[FieldSpec], report: &Value) -> Vec<Observation> {
    let mut out = Vec::new();
    for field in fields {
        for value in values_at(report, &field.path) {
            observe_value(&mut out, field, value);
        }
    }
    out
}

fn observe_value(out: &mut Vec<Observation>, field: &FieldSpec, value: &Value) {
    let count = |kind, key: String, amount| Observation::Count {
        field: field.path.clone(),
        kind,
        key,
        amount,
    };
    let capped = |kind, key: String, amount| Observation::Capped {
        field: field.path.clone(),
        kind,
        key,
        amount,
    };
    match (&field.kind, value) {
        (_, Value::Null) => {}
        (FieldKind::Value { free_form: true }, Value::String(text)) => {
            out.push(capped(VALUE, text.clone(), 1))
        }
        (FieldKind::Value { .. }, Value::String(text)) => out.push(count(VALUE, text.clone(), 1)),
        (FieldKind::Boolean, Value::Bool(flag)) => out.push(count(VALUE, flag.to_string(), 1)),
        (FieldKind::Elements, Value::Array(items)) => out.extend(
            items
                .iter()
                .filter_map(Value::as_str)
                .map(|item| capped(VALUE, item.to_owned(), 1)),
        ),
        (FieldKind::MapSum, Value::Object(entries)) => {
            out.extend(entries.iter().filter_map(|(key, n)| {
                Some(capped(
                    SUM,
                    key.clone(),
                    n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
                ))
            }))
        }
        (FieldKind::Number, number) => {
            if let Some(value) = number.as_f64() {
                out.push(Observation::Number {
                    field: field.path.clone(),
                    value,
                });
                out.push(count(HISTOGRAM, bucket(value), 1));
            }
        }
        _ => {}
    }
}

/// The log-scale bucket of a number: `0` for values below 1, else `2^k`
/// for `[2^k, 2^(k+1))`.
pub fn bucket(value: f64) -> String {
    if value < 1.0 || !value.is_finite() {
        return "0".to_owned();
    }
    format!("2^{}", value.log2().floor() as i64)
}

/// The values at a dotted path, `[]` stepping into every item of a list.
fn values_at<'a>(report: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut current = vec![report];
    for step in path.split('.') {
        let (name, each) = match step.strip_suffix("[]") {
            Some(name) => (name, true),
            None => (step, false),
        };
        current = current
            .into_iter()
            .filter_map(|value| value.get(name))
            .flat_map(|value| match (each, value) {
                (true, Value::Array(items)) => items.iter().collect(),
                (true, _) => Vec::new(),
                (false, value) => vec![value],
            })
            .collect();
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(path: &str, kind: FieldKind) -> FieldSpec {
        FieldSpec {
            path: path.to_owned(),
            kind,
        }
    }

    #[test]
    fn each_kind_observes_what_the_issue_names() {
        let fields = [
            spec("tier", FieldKind::Value { free_form: false }),
            spec("cluster_count", FieldKind::Number),
            spec("packs", FieldKind::Elements),
            spec("platforms", FieldKind::MapSum),
            spec("gpu", FieldKind::Boolean),
            spec("system.gpus[].model", FieldKind::Value { free_form: true }),
            spec("absent", FieldKind::Number),
        ];
        let report = json!({
            "tier": "postgres",
            "cluster_count": 5,
            "packs": ["cis", "pod-security"],
            "platforms": {"eks": 2, "kind": 1},
            "gpu": false,
            "system": {"gpus": [{"model": "L4"}, {"model": "A100"}]},
            "absent": null
        });
        let lines: Vec<String> = observe(&fields, &report)
            .iter()
            .map(|o| match o {
                Observation::Count {
                    field,
                    kind,
                    key,
                    amount,
                } => format!("{field} {kind} {key} {amount}"),
                Observation::Capped {
                    field,
                    kind,
                    key,
                    amount,
                } => format!("{field} capped {kind} {key} {amount}"),
                Observation::Number { field, value } => format!("{field} = {value}"),
            })
            .collect();
        assert_eq!(
            lines,
            [
                "tier value postgres 1",
                "cluster_count = 5",
                "cluster_count histogram 2^2 1",
                "packs capped value cis 1",
                "packs capped value pod-security 1",
                "platforms capped sum eks 2",
                "platforms capped sum kind 1",
                "gpu value false 1",
                "system.gpus[].model capped value L4 1",
                "system.gpus[].model capped value A100 1",
            ]
        );
    }

    #[test]
    fn buckets_are_powers_of_two() {
        assert_eq!(bucket(0.0), "0");
        assert_eq!(bucket(-3.0), "0");
        assert_eq!(bucket(1.0), "2^0");
        assert_eq!(bucket(1023.0), "2^9");
        assert_eq!(bucket(1024.0), "2^10");
    }
}
