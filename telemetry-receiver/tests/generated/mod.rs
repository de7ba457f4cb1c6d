//! Days of generated aggregates for any schema file, written straight into
//! a store's tables (as `pg_dump`-style copies would): reports are made up
//! from the schema alone (values drawn from small pools, most common
//! first, versions drifting over the days), turned into observations by
//! the receiver's own `aggregate::observe`, summed per day, and inserted
//! in one transaction. Shared by the dashboard tests and the dashboard
//! benchmark (`#[path]`).

#![allow(dead_code)] // Each user takes a different part.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Map, Value};
use telemetry_receiver::aggregate::{observe, Observation};
use telemetry_receiver::schema::Schemas;
use time::{Date, Duration};

/// A number field's `(count, sum, min, max)` of a day.
pub type Stats = (i64, f64, f64, f64);

/// The aggregates of some days, as rows of the three `agg_*` tables.
#[derive(Default)]
pub struct Generated {
    pub sessions: BTreeMap<(String, String), i64>,
    pub counts: BTreeMap<(String, String, String, String, String), i64>,
    pub numbers: BTreeMap<(String, String, String), Stats>,
}

/// Picks index `i` of `n` with weight `1 / (i + 1)`: a few values common,
/// a long tail.
fn zipf(rng: &mut fastrand::Rng, n: usize) -> usize {
    let total: f64 = (1..=n).map(|i| 1.0 / i as f64).sum();
    let mut left = rng.f64() * total;
    for i in 0..n {
        left -= 1.0 / (i + 1) as f64;
        if left <= 0.0 {
            return i;
        }
    }
    n - 1
}

/// A made-up value for `schema` at `path` on day number `day`.
fn value(rng: &mut fastrand::Rng, schema: &Value, path: &str, day: i64) -> Value {
    if let Some([inner, null]) = schema["anyOf"].as_array().map(Vec::as_slice) {
        if null["type"] == "null" {
            return if rng.u8(0..10) == 0 {
                Value::Null
            } else {
                value(rng, inner, path, day)
            };
        }
    }
    if let Some(options) = schema["enum"].as_array() {
        return options[zipf(rng, options.len())].clone();
    }
    let leaf = path
        .rsplit('.')
        .next()
        .unwrap_or(path)
        .trim_end_matches("[]");
    match schema["type"].as_str() {
        Some("string") if leaf.contains("version") => {
            // Newer releases take over as the days pass.
            let newest = 8 + day / 50;
            json!(format!(
                "{}.{}.0",
                leaf.len() % 3,
                newest - zipf(rng, 8) as i64
            ))
        }
        Some("string") => json!(format!("{leaf}-{}", zipf(rng, 24))),
        Some("integer" | "number") => json!(2f64.powf(rng.f64() * 12.0).floor() as i64),
        Some("boolean") => {
            let share = 0.3 + 0.2 * (day as f64 / 40.0).sin();
            json!(rng.f64() < share)
        }
        Some("array") => {
            let items = &schema["items"];
            let how_many = zipf(rng, 4);
            Value::Array(
                (0..how_many)
                    .map(|_| value(rng, items, &format!("{path}[]"), day))
                    .collect(),
            )
        }
        Some("object") if schema.get("properties").is_some() => {
            let mut object = Map::new();
            for (name, field) in schema["properties"].as_object().into_iter().flatten() {
                object.insert(
                    name.clone(),
                    value(rng, field, &format!("{path}.{name}"), day),
                );
            }
            Value::Object(object)
        }
        Some("object") => {
            let mut object = Map::new();
            for _ in 0..zipf(rng, 5) + 1 {
                object.insert(format!("{leaf}-{}", zipf(rng, 8)), json!(rng.i64(1..20)));
            }
            Value::Object(object)
        }
        _ => Value::Null,
    }
}

/// `days` days up to `today` of about `sessions_a_day` sessions each, for
/// every recorded version of `schema_file` (the newest the most used).
pub fn generate(schema_file: &str, today: Date, days: i64, sessions_a_day: usize) -> Generated {
    let file: Value = serde_json::from_str(schema_file).expect("a schema file");
    let schemas = Schemas::parse(schema_file).expect("a schema file");
    let mut rng = fastrand::Rng::with_seed(20261125);
    let mut out = Generated::default();
    let entries = file["oneOf"].as_array().cloned().unwrap_or_default();
    for back in (0..days).rev() {
        let day = (today - Duration::days(back)).to_string();
        let n =
            sessions_a_day + rng.usize(0..sessions_a_day / 2 + 1) + ((days - back) as usize / 4);
        for _ in 0..n {
            let entry = &entries[entries.len() - 1 - zipf(&mut rng, entries.len())];
            let version = entry["properties"]["schema_version"]["const"]
                .as_str()
                .unwrap_or("1.0");
            let Some(recorded) = schemas.versions.get(version) else {
                continue;
            };
            let report = value(
                &mut rng,
                &json!({"type": "object", "properties": entry["properties"]}),
                "",
                days - back,
            );
            *out.sessions
                .entry((day.clone(), version.to_owned()))
                .or_default() += 1;
            for observation in observe(&recorded.fields, &report) {
                match observation {
                    // The generated days stay under the caps: a capped
                    // key counts as itself.
                    Observation::Count {
                        field,
                        kind,
                        key,
                        amount,
                    }
                    | Observation::Capped {
                        field,
                        kind,
                        key,
                        amount,
                    } => {
                        *out.counts
                            .entry((day.clone(), version.to_owned(), field, kind.to_owned(), key))
                            .or_default() += amount;
                    }
                    Observation::Number { field, value } => {
                        let stats = out
                            .numbers
                            .entry((day.clone(), version.to_owned(), field))
                            .or_insert((0, 0.0, f64::INFINITY, f64::NEG_INFINITY));
                        stats.0 += 1;
                        stats.1 += value;
                        stats.2 = stats.2.min(value);
                        stats.3 = stats.3.max(value);
                    }
                }
            }
        }
    }
    out
}

/// Writes `generated` into the (migrated) SQLite file at `path`.
pub fn write_sqlite(path: &Path, generated: &Generated) {
    let mut connection = rusqlite::Connection::open(path).unwrap();
    let tx = connection.transaction().unwrap();
    for ((day, version), n) in &generated.sessions {
        tx.execute(
            "INSERT INTO agg_sessions (day, schema_version, sessions) VALUES (?1, ?2, ?3)",
            rusqlite::params![day, version, n],
        )
        .unwrap();
    }
    for ((day, version, field, kind, key), n) in &generated.counts {
        tx.execute(
            "INSERT INTO agg_counts (day, schema_version, field, kind, key, count) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![day, version, field, kind, key, n],
        )
        .unwrap();
    }
    for ((day, version, field), (n, sum, min, max)) in &generated.numbers {
        tx.execute(
            "INSERT INTO agg_numbers (day, schema_version, field, count, sum, min, max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![day, version, field, n, sum, min, max],
        )
        .unwrap();
    }
    // Past days changed, as in a fold: a dashboard reads them again.
    tx.execute(BUMP, []).unwrap();
    tx.commit().unwrap();
}

/// What a change of past days' counts runs in its transaction.
const BUMP: &str = "UPDATE agg_generation SET generation = generation + 1";

/// Writes `generated` into the (migrated) PostgreSQL database at `url`, a
/// table at a time as arrays (`unnest`), in one transaction.
pub async fn write_postgres(url: &str, generated: &Generated) {
    let mut client = crate::common::postgres_client(url).await.unwrap();
    let tx = client.transaction().await.unwrap();
    let column = |pick: &dyn Fn(&(String, String)) -> String| -> Vec<String> {
        generated.sessions.keys().map(pick).collect()
    };
    let sessions: Vec<i64> = generated.sessions.values().copied().collect();
    tx.execute(
        "INSERT INTO agg_sessions SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])",
        &[
            &column(&|k| k.0.clone()),
            &column(&|k| k.1.clone()),
            &sessions,
        ],
    )
    .await
    .unwrap();
    let keys: Vec<_> = generated.counts.keys().collect();
    let text = |i: usize| -> Vec<&str> {
        keys.iter()
            .map(|k| match i {
                0 => k.0.as_str(),
                1 => k.1.as_str(),
                2 => k.2.as_str(),
                3 => k.3.as_str(),
                _ => k.4.as_str(),
            })
            .collect()
    };
    let counts: Vec<i64> = generated.counts.values().copied().collect();
    tx.execute(
        "INSERT INTO agg_counts SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])",
        &[&text(0), &text(1), &text(2), &text(3), &text(4), &counts],
    )
    .await
    .unwrap();
    let keys: Vec<_> = generated.numbers.keys().collect();
    let text = |i: usize| -> Vec<&str> {
        keys.iter()
            .map(|k| match i {
                0 => k.0.as_str(),
                1 => k.1.as_str(),
                _ => k.2.as_str(),
            })
            .collect()
    };
    let stats: Vec<_> = generated.numbers.values().collect();
    let n: Vec<i64> = stats.iter().map(|s| s.0).collect();
    let float = |i: usize| -> Vec<f64> { stats.iter().map(|s| [s.1, s.2, s.3][i]).collect() };
    tx.execute(
        "INSERT INTO agg_numbers SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[])",
        &[&text(0), &text(1), &text(2), &n, &float(0), &float(1), &float(2)],
    )
    .await
    .unwrap();
    tx.execute(BUMP, &[]).await.unwrap();
    tx.commit().await.unwrap();
}
