use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "v1", docs = "docs/telemetry.md")]
pub struct Report {
    /// Which versions are in use.
    pub version: String,
}

fn main() {}
