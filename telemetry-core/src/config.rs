use serde::{Deserialize, Serialize};

/// The user's telemetry setting, to embed in a server's own config as
/// `telemetry.enabled`. Off unless the user turns it on.
///
/// ```
/// # use telemetry_core::TelemetryConfig;
/// let config: TelemetryConfig = serde_json::from_str("{}").unwrap();
/// assert!(!config.enabled);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetryConfig {
    /// Send a report once a day. Default `false`: nothing is sent, and the
    /// reporter starts no thread and opens no socket.
    pub enabled: bool,
}
