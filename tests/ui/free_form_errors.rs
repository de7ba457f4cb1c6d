use std::collections::BTreeMap;
use telemetry_core::TelemetrySection;

#[derive(TelemetrySection)]
pub struct Settings {
    /// Anything the user set, without a reason.
    pub raw: serde_json::Value,
    /// A reason on a typed field.
    #[telemetry(free_form = "counts only")]
    pub count: u32,
    /// An empty reason.
    #[telemetry(free_form = " ")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

fn main() {}
