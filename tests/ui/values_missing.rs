use telemetry_core::{Telemetry, TelemetryValue};

#[derive(TelemetryValue)]
pub enum Tier {
    Memory,
    Postgres,
}

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// How many installs run Tier 2.
    pub tier: Tier,
}

fn main() {}
