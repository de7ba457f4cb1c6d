use telemetry_core::TelemetrySection;

#[derive(TelemetrySection)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md", colour = "blue")]
pub struct SystemInfo {
    /// Cores.
    pub cores: u32,
}

fn main() {}
