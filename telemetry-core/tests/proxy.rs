//! Egress proxies from the environment: CONNECT only, end-to-end TLS with
//! the endpoint, `NO_PROXY` honoured. A loopback CONNECT proxy relays to a
//! loopback TLS receiver whose certificate the reporter trusts through its
//! test seam only.

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::fake_receiver::{Behaviour, Receiver};
use common::log_capture::log_lines;
use common::metrics_recorder::{reports_sent, send_errors};
use common::payload::preview;
use common::proxy::{ConnectProxy, ProxyMode};
use common::tls::TEST_CA;
use common::{observe, wait_for};
use telemetry_core::{Reporter, TelemetryConfig};

/// The proxy variables are the process's: one test at a time sets them.
static ENVIRONMENT: Mutex<()> = Mutex::new(());

/// A reporter sending to `receiver` with `vars` set while it starts (the
/// reporter reads them once, at start).
fn start(app: &str, receiver: &Receiver, vars: &[(&str, &str)]) -> Reporter {
    observe();
    let _one_at_a_time = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
    let reporter = Reporter::builder(app, preview())
        .loopback_endpoint(&receiver.url("https"))
        .unwrap()
        .trust_test_roots(TEST_CA)
        .unwrap()
        .timings(
            Duration::ZERO,
            Duration::from_secs(3600),
            Duration::from_secs(5),
        )
        .start(&TelemetryConfig { enabled: true });
    for (name, _) in vars {
        std::env::remove_var(name);
    }
    reporter
}

#[test]
fn a_report_goes_through_the_proxy_tunnel_to_the_endpoint() {
    let receiver = Receiver::start(Behaviour::TrustedTls);
    let proxy = ConnectProxy::start(ProxyMode::Tunnel);
    let app = "proxy_tunnel";
    let _reporter = start(
        app,
        &receiver,
        &[("HTTPS_PROXY", &proxy.url_with_credentials())],
    );
    assert!(wait_for(Duration::from_secs(5), || reports_sent(app) == 1));
    // One connection each; the CONNECT names the endpoint's host and port.
    assert_eq!(proxy.targets(), [receiver.addr.to_string()]);
    assert_eq!((proxy.connections(), receiver.connections()), (1, 1));
    assert_eq!(receiver.bodies().len(), 1);
    assert_eq!(send_errors(app), 0);
    // The startup line names the proxy, never its credentials.
    let startup = log_lines(app, tracing::Level::INFO).join("\n");
    assert!(
        startup.contains(&format!("through the proxy http://{}", proxy.addr)),
        "{startup}"
    );
    assert!(!startup.contains("s3cret"), "{startup}");
}

#[test]
fn a_proxy_that_answers_itself_fails_the_tls_check_once() {
    let receiver = Receiver::start(Behaviour::TrustedTls);
    let proxy = ConnectProxy::start(ProxyMode::AnswerItself);
    let app = "proxy_answers_itself";
    let _reporter = start(
        app,
        &receiver,
        &[("ALL_PROXY", &format!("http://{}", proxy.addr))],
    );
    assert!(wait_for(Duration::from_secs(5), || send_errors(app) == 1));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(send_errors(app), 1, "retried");
    assert_eq!(reports_sent(app), 0);
    assert_eq!(proxy.connections(), 1);
    assert_eq!(receiver.connections(), 0, "the proxy relayed nothing");
    let warnings = log_lines(app, tracing::Level::WARN);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}

#[test]
fn a_proxy_that_refuses_or_redirects_is_one_counted_failure() {
    for (app, status) in [
        ("proxy_407", "HTTP/1.1 407 Proxy Authentication Required"),
        ("proxy_302", "HTTP/1.1 302 Found"),
    ] {
        let receiver = Receiver::start(Behaviour::TrustedTls);
        let proxy = ConnectProxy::start(ProxyMode::Refuse(status));
        let _reporter = start(
            app,
            &receiver,
            &[("HTTPS_PROXY", &format!("http://{}", proxy.addr))],
        );
        assert!(
            wait_for(Duration::from_secs(5), || send_errors(app) == 1),
            "{status}"
        );
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!((send_errors(app), reports_sent(app)), (1, 0), "{status}");
        assert_eq!(proxy.connections(), 1, "{status}: retried or followed");
        assert_eq!(receiver.connections(), 0);
    }
}

#[test]
fn no_proxy_naming_the_host_bypasses_the_proxy() {
    let receiver = Receiver::start(Behaviour::TrustedTls);
    let proxy = ConnectProxy::start(ProxyMode::Tunnel);
    let app = "proxy_bypassed";
    let vars = [
        ("https_proxy", format!("http://{}", proxy.addr)),
        ("NO_PROXY", "localhost,127.0.0.1".to_owned()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let _reporter = start(app, &receiver, &vars);
    assert!(wait_for(Duration::from_secs(5), || reports_sent(app) == 1));
    assert_eq!(receiver.connections(), 1);
    assert_eq!(proxy.connections(), 0);
}

#[test]
fn a_proxy_that_cannot_tunnel_is_refused_at_start() {
    let receiver = Receiver::start(Behaviour::TrustedTls);
    let app = "proxy_socks";
    let reporter = start(app, &receiver, &[("ALL_PROXY", "socks5://127.0.0.1:1080")]);
    assert!(!reporter.is_running());
    let warnings = log_lines(app, tracing::Level::WARN).join("\n");
    assert!(warnings.contains("socks5://"), "{warnings}");
}
