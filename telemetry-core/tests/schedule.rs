//! The first report's random window and the metrics that show sends, with
//! the test seam's short timings.

mod common;

use std::time::{Duration, Instant};

use common::fake_receiver::Receiver;
use common::metrics_recorder::{last_success, metric, reports_sent};
use common::payload::preview;
use common::{observe, wait_for};
use telemetry_core::{Reporter, TelemetryConfig};

fn start(app: &str, receiver: &Receiver, earliest: Duration, latest: Duration) -> Reporter {
    observe();
    Reporter::builder(app, preview())
        .loopback_endpoint(&receiver.url("http"))
        .unwrap()
        .timings(
            Duration::ZERO,
            Duration::from_secs(3600),
            Duration::from_secs(2),
        )
        .first_report_window(earliest, latest)
        .start(&TelemetryConfig { enabled: true })
}

#[test]
fn the_first_report_falls_inside_its_window() {
    let receiver = Receiver::accepting();
    let (earliest, latest) = (Duration::from_millis(300), Duration::from_millis(700));
    let started = Instant::now();
    let _reporter = start("window", &receiver, earliest, latest);
    assert!(wait_for(Duration::from_secs(3), || receiver.bodies().len() == 1));
    let elapsed = started.elapsed();
    // Polling adds up to 10 ms; a busy machine a little more.
    assert!(
        elapsed >= earliest && elapsed <= latest + Duration::from_millis(300),
        "first report after {elapsed:?}, window {earliest:?}..{latest:?}"
    );
}

#[test]
fn a_reporter_dropped_before_its_window_sends_nothing() {
    let receiver = Receiver::accepting();
    let reporter = start(
        "dropped_early",
        &receiver,
        Duration::from_millis(400),
        Duration::from_millis(500),
    );
    std::thread::sleep(Duration::from_millis(100));
    drop(reporter);
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(receiver.connections(), 0);
}

#[test]
fn sends_are_counted_with_the_time_of_the_last_one() {
    let app = "counted";
    observe();
    // Exported at 0 from the start, even disabled.
    let _disabled =
        Reporter::builder("counted_disabled", preview()).start(&TelemetryConfig { enabled: false });
    assert_eq!(
        metric("counted_disabled_telemetry_reports_sent_total"),
        Some(0)
    );
    assert_eq!(last_success("counted_disabled"), Some(0.0));

    let receiver = Receiver::accepting();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .floor();
    let _reporter = start(app, &receiver, Duration::ZERO, Duration::ZERO);
    assert!(wait_for(Duration::from_secs(3), || reports_sent(app) == 1));
    let at = last_success(app).unwrap();
    assert!(at >= before && at <= before + 5.0, "{at} vs {before}");
}
