//! The payload of the runtime tests, and a reporter sending it to a
//! loopback receiver.

use std::time::Duration;

use telemetry_core::{Preview, Reporter, SessionNonce, Telemetry, TelemetryConfig};

/// The payload of the runtime tests; its page is `tests/fixtures/telemetry.md`.
#[derive(Telemetry)]
#[telemetry(
    schema_version = "1.0",
    docs = "tests/fixtures/telemetry.md",
    endpoint = "https://telemetry.invalid/v1/report"
)]
pub struct TestReport {
    /// Which versions are in use.
    pub version: String,
    /// Random per process start, never stored.
    pub session_nonce: String,
}

pub fn preview() -> Preview<TestReport> {
    Preview::new(|| TestReport {
        version: "1.2.3".into(),
        session_nonce: SessionNonce::current().to_hex(),
    })
}

/// A reporter for `app` sending the test payload to a loopback `url`: the
/// first report after `first`, then every `interval`, each with `timeout`.
pub fn reporter(
    app: &str,
    url: &str,
    enabled: bool,
    [first, interval, timeout]: [Duration; 3],
) -> Reporter {
    super::observe();
    Reporter::builder(app, preview())
        .loopback_endpoint(url)
        .expect("loopback is allowed")
        .timings(first, interval, timeout)
        .start(&TelemetryConfig { enabled })
}

/// Timings under which an enabled reporter would send at once and then every
/// 50 ms: silence over a 500 ms window means nothing was sent.
pub const EAGER: [Duration; 3] = [
    Duration::ZERO,
    Duration::from_millis(50),
    Duration::from_millis(200),
];
