//! `DO_NOT_TRACK=1` wins over `enabled = true`. Alone in its binary because
//! it sets a process-wide environment variable.

mod common;

use std::time::Duration;

use common::fake_receiver::Receiver;
use common::log_capture::log_lines;
use common::payload;
use telemetry_core::DO_NOT_TRACK;

#[test]
fn do_not_track_keeps_an_enabled_reporter_silent() {
    std::env::set_var(DO_NOT_TRACK, "1");
    let receiver = Receiver::accepting();
    let reporter = payload::reporter("dnt", &receiver.url("http"), true, payload::EAGER);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(receiver.connections(), 0);
    assert!(!reporter.is_running());
    let info = log_lines("dnt", tracing::Level::INFO);
    assert!(
        info[0].contains("DO_NOT_TRACK is set: nothing is sent"),
        "{info:?}"
    );
}
