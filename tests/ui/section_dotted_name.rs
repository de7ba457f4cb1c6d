use telemetry_core::TelemetrySection;

#[derive(TelemetrySection)]
pub struct SystemInfo {
    /// Cores.
    #[telemetry(rename = "cpu.cores")]
    pub cores: u32,
}

fn main() {}
