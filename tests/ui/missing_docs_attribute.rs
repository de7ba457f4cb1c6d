use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0")]
pub struct Report {
    /// Which versions are in use.
    pub version: String,
}

fn main() {}
