use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// The version of the report.
    pub schema_version: String,
    /// Which versions are in use.
    pub version: String,
}

fn main() {}
