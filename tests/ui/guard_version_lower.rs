use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.5", docs = "../../../../tests/ui/pages/guard.md")]
pub struct VersionLower {
    /// How common multi-cluster federation is.
    pub cluster_count: String,
}

fn main() {}
