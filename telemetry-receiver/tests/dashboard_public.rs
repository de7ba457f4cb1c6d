//! The public view cannot reveal a rare value: one sent by k - 1 sessions
//! on a day (and again on another day, 2k - 2 reports in the window)
//! appears in no public answer at all, HTML with its SVG, JSON or CSV, in
//! any window; once k sessions sent it on one day, it appears. The full
//! router shows it all along, and the public one takes no reports.

mod common;
mod dashboard_support;

use serde_json::json;
use telemetry_receiver::store::Store;

use dashboard_support::{annotated, why, Served, DEMO};

const K: u32 = 10;
const RARE: &str = "zz-rare-plan9";
/// The histogram bucket of the rare `cluster_count`.
const RARE_BUCKET: &str = "2^19";

/// Every public answer there is, for every window and every field.
fn public_answers<S: Store>(served: &Served<S>) -> Vec<(String, String)> {
    let windows = [
        "",
        "window=7",
        "window=30",
        "window=90",
        "window=365",
        "from=2026-11-01&to=2026-11-30",
    ];
    let fields = served.field_names();
    let mut paths = Vec::new();
    for window in windows {
        paths.push(format!("/?{window}"));
        paths.push(format!("/v1/sessions?{window}"));
        paths.push(format!("/v1/export.csv?{window}"));
        paths.push(format!("/v1/export.json?{window}"));
        for field in &fields {
            for endpoint in ["/v1/aggregates", "/v1/export.csv", "/v1/export.json"] {
                paths.push(format!("{endpoint}?{window}&field={field}"));
            }
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let (status, body) = served.public_get(&path);
            assert_eq!(status, 200, "{path}: {body}");
            (path, body)
        })
        .collect()
}

fn rare_report(nonce: &str) -> serde_json::Value {
    let mut report = common::report(nonce);
    report["os"] = json!(RARE);
    report["kubeatlas_version"] = json!(RARE);
    report["enabled_packs"] = json!(["cis-benchmark", RARE]);
    report["platform_distribution"] = json!({ "eks": 2, RARE: 1 });
    report["cluster_count"] = json!(1_000_000);
    report
}

fn rare_values_stay_hidden<S: Store>(served: Served<S>) {
    let running = &served.running;
    let send = |nonce: String, report: serde_json::Value| {
        assert_eq!(running.post(&report).0, 202, "{nonce}");
    };
    // A day with one report: its number's sum would be that number.
    let mut lone = common::report("lone");
    lone["cluster_count"] = json!(777_777);
    send("lone".to_owned(), lone);
    running.clock.advance_days(1);
    // Two days: k + 2 common sessions and k - 1 rare ones each.
    for day in 0..2 {
        if day > 0 {
            running.clock.advance_days(1);
        }
        for i in 0..K + 2 {
            send(
                format!("common-{day}-{i}"),
                common::report(&format!("common-{day}-{i}")),
            );
        }
        for i in 0..K - 1 {
            send(
                format!("rare-{day}-{i}"),
                rare_report(&format!("rare-{day}-{i}")),
            );
        }
    }
    let (status, page) = running.get("/");
    assert_eq!(status, 200);
    assert!(page.contains(RARE), "the full dashboard shows every value");

    for (path, body) in public_answers(&served) {
        assert!(!body.contains(RARE), "{path} reveals {RARE}:\n{body}");
        assert!(
            !body.contains(RARE_BUCKET),
            "{path} reveals the bucket {RARE_BUCKET}"
        );
        assert!(!body.contains("1000000"), "{path} reveals the rare number");
        assert!(
            !body.contains("777777"),
            "{path} reveals a day's only number"
        );
    }
    let (_, page) = served.public_get("/");
    assert!(page.contains("(other)") && page.contains("linux"), "{page}");
    assert!(
        page.contains(&why("os")),
        "captions are shown in public too"
    );
    assert!(
        page.contains(&format!("fewer than {K} sessions")),
        "the page says what k is"
    );

    // The public address takes no reports.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let refused = agent
        .post(&format!("{}/v1/report", served.public))
        .header("content-type", "application/json")
        .send(rare_report("through-public").to_string())
        .unwrap();
    assert!(
        matches!(refused.status().as_u16(), 404 | 405),
        "{}",
        refused.status()
    );

    // The k-th session of the day: now it is seen by k, and shown.
    send("rare-k".to_owned(), rare_report("rare-k"));
    let (_, page) = served.public_get("/");
    assert!(page.contains(RARE), "shown once k sessions sent it");
    assert!(page.contains(RARE_BUCKET), "the bucket too");
    let (_, csv) = served.public_get("/v1/export.csv?field=os");
    assert!(csv.contains(RARE), "{csv}");
    let (_, answer) = served.public_get("/v1/aggregates?field=platform_distribution");
    assert!(answer.contains(RARE), "{answer}");
    assert!(
        !served
            .public_get("/v1/export.csv?field=cluster_count")
            .1
            .contains("1000000"),
        "min and max stay out"
    );
}

#[test]
fn a_value_seen_by_fewer_than_k_sessions_appears_in_no_public_answer() {
    let schema = annotated(DEMO, 90);
    rare_values_stay_hidden(dashboard_support::sqlite("public", &schema, K, |_| {}));
    if let Some(served) = dashboard_support::postgres("public", &schema, K, |_, _| {}) {
        rare_values_stay_hidden(served);
    }
}
