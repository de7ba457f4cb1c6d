use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub union Report {
    count: u32,
    ratio: f32,
}

fn main() {}
