use std::collections::HashMap;
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    pub version: String,
    /// The version of the report.
    pub schema_version: String,
    /// Cluster counts by platform family.
    pub platform_distribution: HashMap<String, u32>,
}

fn main() {}
