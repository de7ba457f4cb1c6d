use telemetry_core::{Telemetry, TelemetryValue};

#[derive(Clone, Copy, TelemetryValue)]
pub enum Tier {
    Postgres,
    Memory,
}

// The docs page and history match the struct, so the only error is the
// stated values against the enum's variants.
#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "../../../../tests/ui/pages/guard.md")]
pub struct ValuesDisagree {
    /// How many installs run Tier 2.
    #[telemetry(values = "memory | postgres")]
    pub tier: Tier,
}

fn main() {}
