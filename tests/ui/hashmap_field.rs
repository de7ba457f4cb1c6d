use std::collections::HashMap;
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Cluster counts by platform family.
    pub platform_distribution: HashMap<String, u32>,
}

fn main() {}
