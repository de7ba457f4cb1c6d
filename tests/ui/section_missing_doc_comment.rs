// A section's fields follow the payload's rules: each needs its why-text.
// The payload holding it adds no follow-up errors.
use telemetry_core::{Telemetry, TelemetrySection};

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Platform facts, to decide which builds to ship.
    pub system: SystemInfo,
}

#[derive(TelemetrySection)]
pub struct SystemInfo {
    /// Linux distribution family, absent where it cannot be read.
    pub distribution: Option<String>,
    pub cores: u32,
}

fn main() {}
