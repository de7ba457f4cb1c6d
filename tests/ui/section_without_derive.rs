// A struct-typed field needs the struct to derive TelemetrySection.
use telemetry_core::Telemetry;

#[derive(serde::Serialize)]
pub struct SystemInfo {
    pub cores: u32,
}

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Platform facts, to decide which builds to ship.
    pub system: SystemInfo,
}

fn main() {}
