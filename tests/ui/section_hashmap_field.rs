use std::collections::HashMap;
use telemetry_core::{Telemetry, TelemetrySection};

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Per-cluster facts.
    pub fleet: Fleet,
}

#[derive(TelemetrySection)]
pub struct Fleet {
    /// Node counts by platform family.
    pub nodes_by_platform: HashMap<String, u32>,
}

fn main() {}
