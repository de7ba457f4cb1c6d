use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_versoin = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Which versions are in use.
    #[telemetry(colour = "blue")]
    pub version: String,
}

fn main() {}
