use telemetry_core::{Telemetry, TelemetryValue};

// An enum takes only `crate`; other keys are refused, not ignored.
#[derive(TelemetryValue)]
#[telemetry(rename_all = "kebab-case")]
pub enum Tier {
    Memory,
}

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md", crate = "telemetry core")]
pub struct Report {
    /// How many clusters, to size the test matrix.
    pub clusters: u32,
}

fn main() {}
