//! The exports parse (with a CSV reader and a JSON parser) and agree with
//! `GET /v1/aggregates` and `GET /v1/sessions`, field by field, for the
//! full view and the public one, on both engines. And the page: one view
//! per field captioned with its why-text, counts as integers, the windows
//! as links.

mod common;
mod dashboard_support;

use serde_json::{json, Value};
use telemetry_receiver::store::Store;

use dashboard_support::{annotated, get, why, Served, DEMO};

/// A few days of varied reports.
fn seed<S: Store>(served: &Served<S>) {
    let running = &served.running;
    for day in 0..4 {
        for i in 0..(6 + 3 * day) {
            let mut report = common::report(&format!("d{day}-{i}"));
            report["tier"] = json!(["memory", "postgres"][i % 2]);
            report["os"] = json!(["linux", "darwin", "windows, \"quoted\""][i % 3]);
            report["cluster_count"] = json!(1 + i * 700);
            report["enabled_packs"] = json!(["cis-benchmark", "pod-security", "nsa"][..1 + i % 3]);
            assert_eq!(running.post(&report).0, 202);
        }
        running.clock.advance_days(1);
    }
}

fn json_of(url: &str) -> Value {
    let (status, body) = get(url);
    assert_eq!(status, 200, "{url}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url} is not JSON ({e}): {body}"))
}

/// `/v1/aggregates`-shaped counts and numbers rebuilt from CSV rows of one
/// field, and the sessions rows.
fn from_csv(text: &str, field: &str) -> (Vec<Value>, Vec<Value>, Vec<Value>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "field",
            "kind",
            "day",
            "schema_version",
            "key",
            "count",
            "sum",
            "min",
            "max"
        ]
    );
    let (mut counts, mut numbers, mut sessions) = (Vec::new(), Vec::new(), Vec::new());
    for record in reader.records() {
        let r = record.unwrap();
        let float =
            |i: usize| -> Value { r[i].parse::<f64>().map(Value::from).unwrap_or(Value::Null) };
        let count: i64 = r[5].parse().unwrap();
        match &r[1] {
            "sessions" => {
                sessions.push(json!({"day": &r[2], "schema_version": &r[3], "sessions": count}))
            }
            _ if &r[0] != field => {}
            "number" => numbers.push(
                json!({"day": &r[2], "schema_version": &r[3], "count": count,
                "sum": float(6), "min": float(7), "max": float(8)}),
            ),
            kind => counts.push(json!({"day": &r[2], "schema_version": &r[3], "kind": kind,
                "key": &r[4], "count": count})),
        }
    }
    (counts, numbers, sessions)
}

fn exports_agree(base: &str, fields: &[String]) {
    for window in ["window=7", "window=365", "from=2026-11-24&to=2026-11-27"] {
        let all_json = json_of(&format!("{base}/v1/export.json?{window}"));
        let (status, all_csv) = get(&format!("{base}/v1/export.csv?{window}"));
        assert_eq!(status, 200);
        let sessions = json_of(&format!("{base}/v1/sessions?{window}"));
        assert_eq!(all_json["sessions"], sessions["sessions"], "{window}");
        assert_eq!(
            from_csv(&all_csv, "").2,
            sessions["sessions"].as_array().unwrap().clone()
        );
        for field in fields {
            let q = format!("{window}&field={field}");
            let api = json_of(&format!("{base}/v1/aggregates?{q}"));
            let one = json_of(&format!("{base}/v1/export.json?{q}"));
            assert_eq!(one["fields"][0], api, "{q}: the JSON export of one field");
            let listed = all_json["fields"].as_array().unwrap();
            let in_all = listed.iter().find(|f| f["field"] == api["field"]).unwrap();
            assert_eq!(*in_all, api, "{q}: the JSON export of all fields");
            assert_eq!(api["description"], json!(why(field)), "{q}");
            let (_, one_csv) = get(&format!("{base}/v1/export.csv?{q}"));
            for text in [&one_csv, &all_csv] {
                let (counts, numbers, _) = from_csv(text, field);
                assert_eq!(Value::from(counts), api["counts"], "{q}: CSV counts");
                assert_eq!(Value::from(numbers), api["numbers"], "{q}: CSV numbers");
            }
        }
    }
}

fn page_has_every_view<S: Store>(served: &Served<S>) {
    let (status, page) = served.running.get("/?window=7");
    assert_eq!(status, 200);
    for field in served.running.receiver.schemas.fields.keys() {
        assert!(
            page.contains(&format!("<section id=\"{field}\">")),
            "no view of {field}"
        );
        assert!(page.contains(&why(field)), "{field} has no caption");
    }
    for link in [
        "?window=7",
        "?window=30",
        "?window=90",
        "?window=365",
        "name=\"from\"",
        "name=\"to\"",
    ] {
        assert!(page.contains(link), "no {link}");
    }
    assert!(
        page.contains("/v1/export.csv?window=7&amp;field=os"),
        "each view links its exports"
    );
    let cells: Vec<&str> = page.split("<td class=\"n\">").skip(1).collect();
    assert!(!cells.is_empty());
    for cell in cells {
        let text = cell.split('<').next().unwrap_or_default();
        assert!(!text.ends_with(".0"), "a count printed as {text}");
    }
    let (status, _) = served.running.get("/?window=0");
    assert_eq!(status, 400, "a bad window is refused");
}

fn exports<S: Store>(served: Served<S>) {
    seed(&served);
    let fields = served.field_names();
    page_has_every_view(&served);
    exports_agree(&served.running.base, &fields);
    exports_agree(&served.public, &fields);
    let public = json_of(&format!(
        "{}/v1/aggregates?field=cluster_count&window=7",
        served.public
    ));
    assert_eq!(public["k"], 3);
    assert!(public["numbers"][0]["min"].is_null(), "{public}");
}

#[test]
fn exports_parse_and_agree_with_the_aggregates_api() {
    let schema = annotated(DEMO, 90);
    exports(dashboard_support::sqlite("exports", &schema, 3, |_| {}));
    if let Some(served) = dashboard_support::postgres("exports", &schema, 3, |_, _| {}) {
        exports(served);
    }
}
