use telemetry_core::{TelemetrySection, TelemetryValue};

#[derive(TelemetryValue)]
pub enum Tier {
    Memory,
    Postgres(u32),
}

// The field's values are right; only the enum's own error is reported.
#[derive(TelemetrySection)]
pub struct Storage {
    /// The storage tier.
    #[telemetry(values = "memory | postgres")]
    pub tier: Tier,
}

fn main() {}
