// A section reaches the payload's derive through a hidden macro of its own
// name, which a `use` renames with the type but a `type` alias does not: the
// compiler says the alias is not a macro. Name the struct, or `use` it under
// another name.
use telemetry_core::{Telemetry, TelemetrySection};

#[derive(TelemetrySection)]
pub struct SystemInfo {
    /// Cores, to size default thread pools.
    pub cores: u32,
}

pub type Platform = SystemInfo;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md")]
pub struct Report {
    /// Platform facts, to decide which builds to ship.
    pub system: Platform,
}

fn main() {}
