// Bounds and promises that cannot hold: each error names the field (or
// the payload) and what to write instead.
use std::time::Instant;

use telemetry_core::Telemetry;

#[derive(Telemetry)]
#[telemetry(schema_version = "1.0", docs = "docs/telemetry.md", raw_retention_days = 0)]
pub struct Report {
    /// A length bound on a field without strings.
    #[telemetry(max_length = 64)]
    pub enabled: bool,
    /// A length of nothing.
    #[telemetry(max_length = 0)]
    pub os: String,
    /// A length written as a string.
    #[telemetry(max_length = "64")]
    pub arch: String,
    /// A standard-library type under a bare name.
    pub started: Instant,
}

fn main() {}
