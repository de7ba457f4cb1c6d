use telemetry_core::{Telemetry, TelemetrySection};

// A newtype carries one value; two are a record, with named fields.
#[derive(TelemetrySection)]
pub struct Pair(pub u32, pub u32);

#[derive(TelemetrySection)]
#[serde(transparent)]
pub struct TwoFields {
    /// One.
    pub a: u32,
    /// Two.
    pub b: u32,
}

#[derive(Telemetry)]
#[serde(transparent)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// The only value.
    pub count: u32,
}

fn main() {}
