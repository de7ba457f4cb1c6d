use std::collections::BTreeMap;
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Cluster counts by size.
    pub clusters_by_size: BTreeMap<u32, u32>,
}

fn main() {}
