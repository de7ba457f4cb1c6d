// A field named with a raw identifier is sent, listed and recorded under
// its plain name, as serde does: `r#type` is the key `type`.
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "../../../../tests/ui/pages/guard.md")]
pub struct RawNames {
    /// The kind of install, to weigh the platforms we test.
    pub r#type: String,
}

fn main() {
    let report = RawNames {
        r#type: "bare-metal".to_owned(),
    };
    assert_eq!(
        serde_json::to_string(&report).unwrap(),
        r#"{"schema_version":"1.0","type":"bare-metal"}"#
    );
    assert_eq!(RawNames::FIELDS[1].name, "type");
    assert!(RawNames::DOCS_TABLE.contains("| `type` | `string` |"));
}
