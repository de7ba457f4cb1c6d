//! Shared by the runtime tests, one concern a module; each test file
//! imports what it uses:
//!
//! - [`payload`]: the test payload and a reporter sending it;
//! - [`listener`]: the bounded loopback listener under every fake server;
//! - [`fake_receiver`]: receivers that answer, fail or misbehave on
//!   purpose;
//! - [`proxy`]: a loopback CONNECT proxy;
//! - [`tls`]: the fake servers' certificates and the test CA;
//! - [`metrics_recorder`] and [`log_capture`]: what the reporter counts
//!   and logs.

#![allow(dead_code)] // Each test binary uses a different part.

pub mod fake_receiver;
pub mod listener;
pub mod log_capture;
pub mod metrics_recorder;
pub mod payload;
pub mod proxy;
pub mod tls;

use std::thread;
use std::time::{Duration, Instant};

/// Installs the metrics recorder and the log layer; call before starting
/// a reporter, so its first counters and lines are caught.
pub fn observe() {
    metrics_recorder::install();
    log_capture::install();
}

/// Polls `condition` every 10 ms for at most `limit`.
pub fn wait_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(10));
    }
    condition()
}
