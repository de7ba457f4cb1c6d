use telemetry_core::TelemetryValue;

#[derive(TelemetryValue)]
pub enum Tier {
    Memory,
    #[telemetry(rename = "memory")]
    InMemory,
    Postgres(String),
}

#[derive(TelemetryValue)]
pub struct NotAnEnum {
    pub tier: String,
}

fn main() {}
