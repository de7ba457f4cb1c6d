use telemetry_core::TelemetrySection;

/// The project's own `Duration`, named like the standard one.
#[derive(TelemetrySection)]
pub struct Duration {
    /// Minutes.
    pub minutes: u32,
}

#[derive(TelemetrySection)]
pub struct Sync {
    /// Taken for `std::time::Duration` by its name.
    pub took: Duration,
    /// Named by a longer path, it is a section.
    pub also: crate::Duration,
}

fn main() {}
