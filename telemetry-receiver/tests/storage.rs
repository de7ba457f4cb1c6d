//! What the page promises of the receiver, on SQLite and on PostgreSQL:
//! one count per session and day, aggregates derived from the schema and
//! kept, raw reports deleted after the retention (by moving the clock).

mod common;

use common::{report, Running};
use serde_json::{json, Value};
use telemetry_receiver::aggregate::{DAY_CAP, OTHER};
use telemetry_receiver::store::Store;

fn counts(running: &Running<impl Store>, field: &str) -> Vec<(String, String, i64)> {
    let answer = running.get_json(&format!(
        "/v1/aggregates?field={field}&from=2026-01-01&to=2027-12-31"
    ));
    answer["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["kind"].as_str().unwrap().to_owned(),
                row["key"].as_str().unwrap().to_owned(),
                row["count"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn sessions(running: &Running<impl Store>) -> Vec<(String, i64)> {
    let answer = running.get_json("/v1/sessions?from=2026-01-01&to=2027-12-31");
    answer["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["day"].as_str().unwrap().to_owned(),
                row["sessions"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn once_per_session_and_day(running: Running<impl Store>) {
    assert_eq!(
        running.post(&report("a1")),
        (202, json!({ "status": "stored" }))
    );
    // A retry after a lost 202 is stored once.
    assert_eq!(
        running.post(&report("a1")),
        (202, json!({ "status": "duplicate" }))
    );
    let mut other = report("b2");
    other["tier"] = json!("postgres");
    other["cluster_count"] = json!(40);
    other["platform_distribution"] = json!({ "eks": 5 });
    assert_eq!(running.post(&other).0, 202);

    assert_eq!(sessions(&running), [("2026-11-25".to_owned(), 2)]);
    assert_eq!(
        counts(&running, "tier"),
        [
            ("value".into(), "memory".into(), 1),
            ("value".into(), "postgres".into(), 1)
        ]
    );
    assert_eq!(
        counts(&running, "platform_distribution"),
        [
            ("sum".into(), "eks".into(), 7),
            ("sum".into(), "kind".into(), 1)
        ]
    );
    assert!(counts(&running, "enabled_packs").contains(&(
        "value".into(),
        "cis-benchmark".into(),
        2
    )));
    let numbers =
        running.get_json("/v1/aggregates?field=cluster_count&from=2026-01-01&to=2027-12-31");
    let stats = &numbers["numbers"][0];
    assert_eq!(
        (&stats["count"], &stats["sum"], &stats["min"], &stats["max"]),
        (&json!(2), &json!(43.0), &json!(3.0), &json!(40.0))
    );
    let histogram = counts(&running, "cluster_count");
    assert!(
        histogram.contains(&("histogram".into(), "2^1".into(), 1)),
        "{histogram:?}"
    );
    assert!(
        histogram.contains(&("histogram".into(), "2^5".into(), 1)),
        "{histogram:?}"
    );
    assert_eq!(running.raw_count(), 2);

    // The next UTC day, the same session counts again: nonces are never
    // joined across days.
    running.clock.advance_days(1);
    assert_eq!(running.post(&report("a1")).1["status"], "stored");
    assert_eq!(
        sessions(&running),
        [("2026-11-25".to_owned(), 2), ("2026-11-26".to_owned(), 1)]
    );
}

#[test]
fn one_session_counts_once_a_day_and_aggregates_follow_the_schema() {
    on_both_engines!("sessions", once_per_session_and_day);
}

fn retention(running: Running<impl Store>) {
    assert_eq!(running.post(&report("old")).0, 202);
    running.clock.advance_days(89);
    assert_eq!(running.post(&report("recent")).0, 202);
    running.maintain();
    assert_eq!(running.raw_count(), 2, "89 days old is kept");
    running.clock.advance_days(2);
    running.maintain();
    assert_eq!(running.raw_count(), 1, "91 days old is deleted");
    // The aggregates of the deleted day stay.
    assert_eq!(
        sessions(&running).first(),
        Some(&("2026-11-25".to_owned(), 1))
    );
    let memory: i64 = counts(&running, "tier").iter().map(|(_, _, n)| n).sum();
    assert_eq!(memory, 2, "both days' counts");
}

#[test]
fn raw_reports_are_deleted_after_the_retention_and_aggregates_stay() {
    on_both_engines!("retention", retention);
}

fn folding(running: Running<impl Store>) {
    // 115 sessions: 10 on one operating system, 105 each on one of its own.
    // The day keeps its 100 most frequent values.
    for i in 0..115 {
        let mut one = report(&format!("s{i}"));
        one["os"] = json!(if i < 10 {
            "linux".to_owned()
        } else {
            format!("os-{i:03}")
        });
        assert_eq!(running.post(&one).0, 202);
    }
    running.maintain();
    assert_eq!(counts(&running, "os").len(), 106, "today is not folded yet");
    running.clock.advance_days(1);
    running.maintain();
    let os = counts(&running, "os");
    assert_eq!(os.len(), 101, "100 values and (other)");
    assert_eq!(os[0], ("value".into(), "linux".into(), 10));
    assert!(
        os.contains(&("value".into(), "(other)".into(), 6)),
        "{os:?}"
    );
    let total: i64 = os.iter().map(|(_, _, n)| n).sum();
    assert_eq!(total, 115, "nothing lost");
}

#[test]
fn a_free_form_string_keeps_its_100_most_frequent_values_a_day() {
    on_both_engines!("folding", folding);
}

fn day_cap(running: Running<impl Store>) {
    // More distinct values in one day than the cap: the new ones beyond it
    // count as (other) at once; values already counted keep counting.
    let cap = DAY_CAP as usize;
    for i in 0..cap + 5 {
        let mut one = report(&format!("s{i}"));
        one["os"] = json!(format!("os-{i:04}"));
        assert_eq!(running.post(&one).0, 202);
    }
    let mut again = report("again");
    again["os"] = json!("os-0000");
    assert_eq!(running.post(&again).0, 202);
    let os = counts(&running, "os");
    assert_eq!(os.len(), cap + 1, "the cap's values and (other)");
    assert!(
        os.contains(&("value".into(), "os-0000".into(), 2)),
        "{os:?}"
    );
    assert!(os.contains(&("value".into(), OTHER.into(), 5)), "{os:?}");
    let total: i64 = os.iter().map(|(_, _, n)| n).sum();
    assert_eq!(total, cap as i64 + 6, "nothing lost");
    // The day's end still keeps its 100 most frequent.
    running.clock.advance_days(1);
    running.maintain();
    let os = counts(&running, "os");
    assert_eq!(os.len(), 101);
    assert_eq!(os.iter().map(|(_, _, n)| n).sum::<i64>(), cap as i64 + 6);
}

#[test]
fn a_free_form_string_is_capped_while_its_day_runs() {
    on_both_engines!("day_cap", day_cap);
}

#[test]
fn bad_input_is_refused_with_the_field_and_nothing_is_stored() {
    let running = common::sqlite("bad-input");
    let too_big = vec![b' '; 64 * 1024 + 1];
    assert_eq!(running.post_raw("application/json", &too_big).0, 413);
    assert_eq!(
        running
            .post_raw("text/plain", report("x").to_string().as_bytes())
            .0,
        415
    );
    let (status, answer) = running.post_raw("application/json", b"{not json");
    assert_eq!(status, 400);
    assert!(
        answer["error"].as_str().unwrap().starts_with("not JSON"),
        "{answer}"
    );
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let (status, answer) = running.post_raw("application/json", deep.as_bytes());
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("the report is too deeply nested"))
    );

    let cases: Vec<(Value, &str)> = vec![
        (json!({ "schema_version": "9.0" }), "/schema_version"),
        (with(|r| r["tier"] = json!("sqlite")), "/tier"),
        (with(|r| r["cluster_count"] = json!("3")), "/cluster_count"),
        (with(|r| r["cluster_count"] = json!(-1)), "/cluster_count"),
        (
            with(|r| r["platform_distribution"]["eks"] = json!("two")),
            "/platform_distribution/eks",
        ),
        (with(|r| r["install_id"] = json!("x")), "/"),
        (
            with(|r| {
                r.as_object_mut().unwrap().remove("os");
            }),
            "/",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = running.post(&body);
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["field"], field, "{answer}");
    }
    assert_eq!(running.raw_count(), 0);
    assert_eq!(running.get_json("/v1/sessions")["sessions"], json!([]));
}

fn with(change: impl FnOnce(&mut Value)) -> Value {
    let mut body = report("x");
    change(&mut body);
    body
}
