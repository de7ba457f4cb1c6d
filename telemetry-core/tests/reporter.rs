//! The reporter against real loopback receivers: the happy path and every
//! way a receiver can fail. Each failure must cost exactly one counted
//! error and one warning, with no retry, while the server keeps answering.

mod common;

use std::time::{Duration, Instant};

use common::fake_receiver::{Behaviour, Receiver};
use common::listener::refused_url;
use common::log_capture::log_lines;
use common::metrics_recorder::send_errors;
use common::payload::{self, preview, TestReport};
use common::{observe, wait_for};
use telemetry_core::{Preview, Reporter, SessionNonce, TelemetryConfig};

const ENABLED: TelemetryConfig = TelemetryConfig { enabled: true };
const SEND_TIMEOUT: Duration = Duration::from_millis(400);
const HOUR: Duration = Duration::from_secs(3600);

/// A reporter for `app` that sends at once to `url`, then not for an hour.
fn start_reporter(app: &str, url: &str) -> Reporter {
    payload::reporter(app, url, true, [Duration::ZERO, HOUR, SEND_TIMEOUT])
}

/// The preview served by axum on a runtime of its own, as a server would.
struct PreviewServer {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl PreviewServer {
    fn start(preview: Preview<TestReport>) -> PreviewServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!(
            "http://{}{}",
            listener.local_addr().unwrap(),
            telemetry_core::PREVIEW_PATH
        );
        let app: axum::Router = telemetry_core::axum::preview_router(preview);
        runtime.spawn(async move { axum::serve(listener, app).await });
        PreviewServer {
            url,
            _runtime: runtime,
        }
    }

    /// GETs the preview and returns the body and how long it took.
    fn get(&self) -> (Vec<u8>, Duration) {
        let started = Instant::now();
        let body = ureq::get(&self.url)
            .call()
            .unwrap()
            .body_mut()
            .read_to_vec()
            .unwrap();
        (body, started.elapsed())
    }
}

/// Runs one fault: the reporter sends once to `url` and fails.
fn assert_one_failure(app: &str, url: &str, receiver: Option<&Receiver>) {
    let server = PreviewServer::start(preview());
    let reporter = start_reporter(app, url);
    // The server's own path while the send is in flight (or hanging).
    let (body, latency) = server.get();
    assert_eq!(body, preview().bytes());
    assert!(
        wait_for(Duration::from_secs(5), || send_errors(app) >= 1),
        "no failure was counted"
    );
    // Long enough for any retry to show; there must be none.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(send_errors(app), 1, "exactly one counted error");
    let warnings = log_lines(app, tracing::Level::WARN);
    assert_eq!(warnings.len(), 1, "exactly one warning: {warnings:#?}");
    assert!(
        warnings[0].contains("will not be retried"),
        "{}",
        warnings[0]
    );
    if let Some(receiver) = receiver {
        assert_eq!(receiver.connections(), 1, "the receiver saw a retry");
    }
    assert!(
        latency < Duration::from_secs(1),
        "the preview took {latency:?} while a send was failing"
    );
    let (_, latency) = server.get();
    assert!(
        latency < Duration::from_secs(1),
        "the preview took {latency:?}"
    );
    drop(reporter);
}

#[test]
fn happy_path_posts_the_preview_bytes_once() {
    let receiver = Receiver::accepting();
    let reporter = start_reporter("happy", &receiver.url("http"));
    assert!(wait_for(Duration::from_secs(5), || !receiver
        .bodies()
        .is_empty()));
    std::thread::sleep(Duration::from_millis(200));
    let bodies = receiver.bodies();
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        bodies[0],
        preview().bytes(),
        "the report is the preview, byte for byte"
    );
    let nonce = SessionNonce::current().to_hex();
    assert!(String::from_utf8_lossy(&bodies[0]).contains(&nonce));
    assert_eq!(send_errors("happy"), 0);
    assert!(log_lines("happy", tracing::Level::WARN).is_empty());
    let info = log_lines("happy", tracing::Level::INFO);
    assert_eq!(info.len(), 1, "{info:#?}");
    for part in [
        &receiver.url("http"),
        telemetry_core::PREVIEW_PATH,
        "to disable, set telemetry.enabled = false",
    ] {
        assert!(
            info[0].contains(part),
            "the startup line lacks {part:?}: {}",
            info[0]
        );
    }
    assert!(reporter.is_running());
}

#[test]
fn receiver_down() {
    assert_one_failure("down", &refused_url(), None);
}

#[test]
fn connection_reset_mid_request() {
    let receiver = Receiver::start(Behaviour::Reset);
    assert_one_failure("reset", &receiver.url("http"), Some(&receiver));
}

#[test]
fn receiver_hangs_past_the_timeout() {
    let receiver = Receiver::start(Behaviour::Hang(Duration::from_secs(3)));
    let started = Instant::now();
    assert_one_failure("hang", &receiver.url("http"), Some(&receiver));
    let warning = &log_lines("hang", tracing::Level::WARN)[0];
    assert!(warning.to_lowercase().contains("timeout"), "{warning}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the timeout did not cut the send short"
    );
}

#[test]
fn http_500() {
    let receiver = Receiver::start(Behaviour::Answer(
        "HTTP/1.1 500 Internal Server Error".into(),
    ));
    assert_one_failure("status500", &receiver.url("http"), Some(&receiver));
    assert!(log_lines("status500", tracing::Level::WARN)[0].contains("HTTP 500"));
}

#[test]
fn redirects_are_not_followed() {
    let elsewhere = Receiver::accepting();
    let redirect = format!("HTTP/1.1 302 Found\r\nlocation: {}", elsewhere.url("http"));
    let receiver = Receiver::start(Behaviour::Answer(redirect));
    assert_one_failure("redirect", &receiver.url("http"), Some(&receiver));
    assert!(log_lines("redirect", tracing::Level::WARN)[0].contains("HTTP 302"));
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
}

#[test]
fn untrusted_certificate() {
    let receiver = Receiver::start(Behaviour::UntrustedTls);
    assert_one_failure("tls", &receiver.url("https"), Some(&receiver));
    let warning = &log_lines("tls", tracing::Level::WARN)[0];
    assert!(
        warning.contains("invalid peer certificate: UnknownIssuer"),
        "{warning}"
    );
}

#[test]
fn a_panicking_snapshot_is_one_counted_failure() {
    observe();
    let receiver = Receiver::accepting();
    let preview: Preview<TestReport> = Preview::new(|| panic!("snapshot failed"));
    let _reporter = Reporter::builder("panics", preview)
        .loopback_endpoint(&receiver.url("http"))
        .unwrap()
        .timings(Duration::ZERO, Duration::from_secs(3600), SEND_TIMEOUT)
        .start(&ENABLED);
    assert!(wait_for(Duration::from_secs(5), || send_errors("panics") == 1));
    assert_eq!(receiver.connections(), 0);
}

#[test]
fn non_loopback_overrides_are_refused() {
    for url in [
        "https://telemetry.example.com/v1/report",
        "http://10.1.2.3:8080/",
        "http://localhost:8080/",
        "http://[2001:db8::1]:80/",
    ] {
        let refused = Reporter::builder("refused", preview()).loopback_endpoint(url);
        let err = refused.err().expect("a non-loopback override was accepted");
        assert!(err.to_string().contains("refused"), "{err}");
    }
}

#[test]
fn the_default_timeout_is_ten_seconds() {
    assert_eq!(telemetry_core::SEND_TIMEOUT, Duration::from_secs(10));
}

#[test]
fn dropping_the_reporter_does_not_wait_for_a_hanging_send() {
    let receiver = Receiver::start(Behaviour::Hang(Duration::from_secs(5)));
    let timings = [Duration::ZERO, HOUR, Duration::from_secs(10)];
    let reporter = payload::reporter("shutdown", &receiver.url("http"), true, timings);
    assert!(wait_for(Duration::from_secs(5), || receiver.connections() == 1));
    let started = Instant::now();
    reporter.shutdown();
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "shutdown waited {:?}",
        started.elapsed()
    );
}
