//! The event stream on the wire and against its JSON Schema: every variant
//! accepted, tampered reports refused.

use serde_json::{json, Value};
use telemetry_core::Telemetry;

use event_stream::EventBatch;

fn report() -> Value {
    serde_json::to_value(EventBatch::example("5d1c09e2b77f4a30")).unwrap()
}

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/EventBatch.schema.json");
    let file: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The schema the payload carries is the file's current version.
    let current: Value = serde_json::from_str(EventBatch::JSON_SCHEMA).unwrap();
    assert!(file["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["properties"] == current["properties"]));
    jsonschema::validator_for(&file).unwrap()
}

#[test]
fn events_are_sent_as_serde_sends_them() {
    let report = report();
    assert_eq!(report["schema_version"], "1.1");
    assert_eq!(report["workerThreads"], 8);
    assert_eq!(
        report["events"],
        json!([
            { "offsetSecs": 0, "type": "started" },
            { "offsetSecs": 95, "type": "file_saved", "extension": "rs", "sizeKib": 12 },
            { "offsetSecs": 180, "type": "file_saved", "extension": "md" },
            { "offsetSecs": 3600, "type": "command_run", "command": "format", "durationMs": 41 },
        ])
    );
    assert_eq!(
        report["collectTime"],
        json!({ "secs": 0, "nanos": 1_500_000 })
    );
    assert!(report.get("theme").is_none(), "{report}");
}

#[test]
fn every_variant_is_accepted() {
    let validator = validator();
    let report = report();
    assert!(
        validator.is_valid(&report),
        "{:?}",
        validator
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    let mut themed = report.clone();
    themed["theme"] = json!({ "family": "dark" });
    assert!(validator.is_valid(&themed));
}

/// A change to a valid report that makes it invalid.
type Tamper = fn(&mut Value);

#[test]
fn tampered_reports_are_refused() {
    let validator = validator();
    let tampered: [(&str, Tamper); 9] = [
        ("an unknown variant", |r| {
            r["events"][0] = json!({ "offsetSecs": 0, "type": "crashed" })
        }),
        ("a wrong tag name", |r| {
            r["events"][0] = json!({ "offsetSecs": 0, "kind": "started" })
        }),
        ("no variant at all", |r| {
            r["events"][0] = json!({ "offsetSecs": 0 })
        }),
        ("an extra key beside a unit variant", |r| {
            r["events"][0]["host"] = json!("build-7")
        }),
        ("a missing field of the record", |r| {
            r["events"][1].as_object_mut().unwrap().remove("offsetSecs");
        }),
        ("an extra key in a variant", |r| {
            r["events"][1]["path"] = json!("/home/me/secret.rs")
        }),
        ("a missing field of a variant", |r| {
            r["events"][3].as_object_mut().unwrap().remove("durationMs");
        }),
        ("a value outside the command list", |r| {
            r["events"][3]["command"] = json!("rm")
        }),
        ("another variant's field", |r| {
            r["events"][0]["extension"] = json!("rs")
        }),
    ];
    for (what, tamper) in tampered {
        let mut report = report();
        tamper(&mut report);
        assert!(
            !validator.is_valid(&report),
            "{what} was accepted: {report}"
        );
    }
}
