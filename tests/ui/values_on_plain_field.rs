use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// How common multi-cluster federation is.
    #[telemetry(values = "1 | 2")]
    pub cluster_count: u32,
}

fn main() {}
