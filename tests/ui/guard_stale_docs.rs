use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "../../../../tests/ui/pages/guard.md")]
pub struct StaleDocs {
    /// Which versions are in use.
    pub version: String,
}

fn main() {}
