use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md", docs = "docs/other.md")]
pub struct Report {
    /// Which versions are in use.
    #[telemetry(rename = version)]
    pub version: String,
}

fn main() {}
