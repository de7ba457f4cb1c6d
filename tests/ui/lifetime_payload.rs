use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report<'a> {
    /// Which versions are in use.
    pub version: &'a str,
}

fn main() {}
