use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.1", docs = "../../../../tests/ui/pages/guard.md")]
pub struct MinorBump {
    /// How common multi-cluster federation is.
    pub cluster_count: String,
}

fn main() {}
