// The fixtures sit in tests/ui/pages; trybuild builds in
// target/tests/trybuild/<crate>, hence the path up four levels.
use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "../../../../tests/ui/pages/guard.md")]
pub struct FieldsChanged {
    /// Which versions are in use.
    pub version: String,
    /// How common multi-cluster federation is.
    pub cluster_count: String,
    /// How many GPUs the nodes have.
    pub gpu_count: u32,
}

fn main() {}
