use telemetry_core::{TelemetrySection, TelemetryValue};

#[derive(TelemetrySection)]
#[serde(tag = "kind", rename_all = "Title Case")]
pub struct Event {
    /// The kind again, which the tag already sends.
    pub kind: String,
    /// Renamed by both attributes.
    #[telemetry(rename = "b")]
    #[serde(rename = "c")]
    pub value: u32,
    /// Skipped by something that is not a path.
    #[serde(skip_serializing_if = "not a path")]
    pub note: Option<String>,
}

#[derive(TelemetryValue)]
#[serde(tag = "t")]
pub enum Tier {
    Memory,
    #[serde(skip)]
    Postgres,
}

fn main() {}
