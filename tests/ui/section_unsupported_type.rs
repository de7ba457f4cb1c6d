use telemetry_core::{Telemetry, TelemetrySection};

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Platform facts, to decide which builds to ship.
    pub system: SystemInfo,
}

#[derive(TelemetrySection)]
pub struct SystemInfo {
    /// The kernel version as (major, minor).
    pub kernel: (u32, u32),
    /// Uptime, if known.
    pub uptime: Option<Option<u64>>,
}

fn main() {}
