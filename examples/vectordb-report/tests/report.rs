//! The nested example payload on the wire: objects for sections, `null`
//! for absent values, and a JSON Schema that closes every level.

use serde_json::{json, Value};
use telemetry_core::Telemetry;
use vectordb_report::NodeReport;

fn report() -> Value {
    serde_json::to_value(NodeReport::example("9f2c41d07ab35e68")).unwrap()
}

/// The schema file bless writes beside the history (every version).
fn schema_file() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/NodeReport.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn sections_are_objects_and_absent_values_are_null() {
    let report = report();
    assert_eq!(report["schema_version"], "1.0");
    assert_eq!(
        report["app"],
        json!({ "version": "1.12.4", "flavour": "gpu", "startup_ms": 840 })
    );
    // The key is sent even when the value is unknown.
    assert_eq!(report["system"]["memory_gib"], Value::Null);
    assert_eq!(report["system"]["cpu"]["simd"], json!(["avx2", "avx512f"]));
    assert_eq!(
        report["system"]["gpu_devices"],
        json!([{ "vendor": "nvidia", "model": "L4", "memory_gib": 24 }])
    );
    assert_eq!(report["collections"][1]["size"], ">10K");
    // Declaration order on the wire, `schema_version` first, at every level.
    let text = serde_json::to_string(&NodeReport::example("00")).unwrap();
    assert!(
        text.starts_with(
            r#"{"schema_version":"1.0","app":{"version":"1.12.4","flavour":"gpu","startup_ms":840},"system":{"distribution":"debian","memory_gib":null,"cpu":{"arch":"x86_64""#
        ),
        "{text}"
    );
}

#[test]
fn every_nested_field_has_a_row_by_its_path() {
    let paths: Vec<&str> = NodeReport::FIELDS.iter().map(|field| field.name).collect();
    for path in [
        "app",
        "app.startup_ms",
        "system.cpu.simd",
        "system.gpu_devices",
        "system.gpu_devices[].memory_gib",
        "collections[].distance",
    ] {
        assert!(paths.contains(&path), "{path} not in {paths:?}");
    }
    let gpus = NodeReport::FIELDS
        .iter()
        .find(|field| field.name == "system.gpu_devices")
        .unwrap();
    assert_eq!(gpus.wire_type, "object[] | null");
}

#[test]
fn the_schema_accepts_the_report_and_refuses_changes_at_any_depth() {
    let current: Value = serde_json::from_str(NodeReport::JSON_SCHEMA).unwrap();
    for schema in [current, schema_file()] {
        let validator = jsonschema::validator_for(&schema).unwrap();
        assert!(validator.is_valid(&report()));
        let mut no_gpus = report();
        no_gpus["system"]["gpu_devices"] = Value::Null;
        assert!(
            validator.is_valid(&no_gpus),
            "null where the type allows it"
        );

        let mut extra = report();
        extra["system"]["cpu"]["hostname"] = json!("node-1");
        let mut null_required = report();
        null_required["system"]["cpu"]["cores"] = Value::Null;
        let mut missing = report();
        missing["app"].as_object_mut().unwrap().remove("startup_ms");
        let mut wrong_item = report();
        wrong_item["collections"][0]["distance"] = json!("hamming");
        let mut extra_in_item = report();
        extra_in_item["system"]["gpu_devices"][0]["serial"] = json!("X1");
        let mut negative = report();
        negative["collections"][0]["dimensions"] = json!(-768);
        for (what, tampered) in [
            ("an extra nested field", extra),
            ("null in a required field", null_required),
            ("a missing nested field", missing),
            ("a wrong value in a list item", wrong_item),
            ("an extra field in a list item", extra_in_item),
            ("a negative u32 in a list item", negative),
        ] {
            assert!(!validator.is_valid(&tampered), "{what} was accepted");
        }
    }
}

/// A writer that takes `budget` bytes, then fails, and counts the writes
/// tried after it failed.
struct FailingWriter {
    budget: usize,
    written: Vec<u8>,
    failed: bool,
    writes_after_failure: usize,
}

impl std::io::Write for FailingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.failed {
            self.writes_after_failure += 1;
            return Err(std::io::Error::other("written after a failure"));
        }
        if self.written.len() + bytes.len() > self.budget {
            self.failed = true;
            return Err(std::io::Error::other("disk full"));
        }
        self.written.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_field_stops_the_report_and_its_error_is_returned() {
    let full = serde_json::to_vec(&NodeReport::example("00")).unwrap();
    // Fail in a top-level value, inside a section, and inside a list item.
    for marker in [&b"\"app\""[..], b"\"cores\"", b"\"memory_gib\":24"] {
        let at = full
            .windows(marker.len())
            .position(|window| window == marker)
            .unwrap();
        let mut writer = FailingWriter {
            budget: at + 2,
            written: Vec::new(),
            failed: false,
            writes_after_failure: 0,
        };
        let error = serde_json::to_writer(&mut writer, &NodeReport::example("00")).unwrap_err();
        assert!(error.is_io(), "{error}");
        assert!(error.to_string().contains("disk full"), "{error}");
        // As with serde's `?`: nothing more is written once a field failed.
        assert_eq!(writer.writes_after_failure, 0);
        assert!(writer.failed);
        assert_eq!(writer.written, full[..writer.written.len()]);
    }
}
