use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Which versions are in use.
    pub version: (u32, u32),
    /// The first letter of the locale.
    pub initial: char,
    /// How long the last sync took.
    pub last_sync: std::time::Duration,
}

fn main() {}
