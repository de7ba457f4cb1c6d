//! Receivers can validate reports with any JSON Schema validator: the
//! demo's report against the generated schemas, with an independent
//! validator (the `jsonschema` crate).

use kubeatlas_demo::payload::{Inventory, KubeAtlasReport};
use serde_json::{json, Value};
use telemetry_core::{Preview, Telemetry};

fn preview_report() -> Value {
    let preview = Preview::new(|| KubeAtlasReport::snapshot(&Inventory::default()));
    serde_json::from_slice(&preview.bytes()).unwrap()
}

/// The schema file bless writes beside the history (every version).
fn schema_file() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/KubeAtlasReport.schema.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tampered() -> Vec<(&'static str, Value)> {
    let mut extra = preview_report();
    extra["install_uuid"] = json!("5f1c");
    let mut wrong_enum = preview_report();
    wrong_enum["tier"] = json!("sqlite");
    let mut wrong_type = preview_report();
    wrong_type["cluster_count"] = json!("3");
    let mut missing = preview_report();
    missing.as_object_mut().unwrap().remove("os");
    let mut unknown_version = preview_report();
    unknown_version["schema_version"] = json!("9.0");
    let mut negative = preview_report();
    negative["cluster_count"] = json!(-1);
    let mut negative_in_map = preview_report();
    negative_in_map["platform_distribution"]["eks"] = json!(-2);
    vec![
        ("an extra field", extra),
        ("a wrong enum value", wrong_enum),
        ("a wrong type", wrong_type),
        ("a missing field", missing),
        ("an unrecorded schema_version", unknown_version),
        ("a negative count (u32)", negative),
        ("a negative count in a map of u32", negative_in_map),
    ]
}

#[test]
fn the_preview_is_valid_against_both_schemas() {
    let report = preview_report();
    for (name, schema) in [
        (
            "JSON_SCHEMA",
            serde_json::from_str(KubeAtlasReport::JSON_SCHEMA).unwrap(),
        ),
        ("the schema file", schema_file()),
    ] {
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
}

#[test]
fn tampered_reports_are_invalid() {
    for schema in [
        serde_json::from_str(KubeAtlasReport::JSON_SCHEMA).unwrap(),
        schema_file(),
    ] {
        let validator = jsonschema::validator_for(&schema).unwrap();
        for (what, report) in tampered() {
            assert!(!validator.is_valid(&report), "a report with {what} passed");
        }
    }
}
