use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(
    schema_version = "1.0",
    docs = "docs/telemetry.md",
    endpoint = "http://telemetry.example.com/v1/report"
)]
pub struct Report {
    /// Which versions are in use.
    pub version: String,
}

fn main() {}
