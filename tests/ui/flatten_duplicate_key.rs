use telemetry_core::{Telemetry, TelemetrySection};

#[derive(TelemetrySection)]
pub struct Common {
    /// Clashes with the payload's own `version` once flattened.
    pub version: u32,
}

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Which versions run.
    pub version: String,
    #[serde(flatten)]
    pub common: Common,
}

fn main() {}
