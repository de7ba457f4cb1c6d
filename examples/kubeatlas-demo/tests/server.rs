//! The demo server binary over real HTTP on an ephemeral loopback port.
//! Telemetry stays disabled here: an enabled demo would send to its real
//! endpoint.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(config: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("kubeatlas-demo-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config_path = dir.join(format!("{}.toml", config.len()));
        std::fs::write(&config_path, config).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kubeatlas-demo"))
            .args(["--listen", "127.0.0.1:0", "--config"])
            .arg(&config_path)
            .env_remove("DO_NOT_TRACK")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Server { child, base }
    }

    fn get(&self, path: &str) -> (String, String) {
        let mut response = ureq::get(&format!("{}{path}", self.base)).call().unwrap();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (content_type, response.body_mut().read_to_string().unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn serves_the_preview_and_metrics() {
    let server = Server::start("[telemetry]\nenabled = false\n");
    let (content_type, preview) = server.get("/api/v1/telemetry/preview");
    assert_eq!(content_type, "application/json");
    let report: serde_json::Value = serde_json::from_str(&preview).unwrap();
    assert!(
        preview.starts_with(r#"{"schema_version":"1.0","kubeatlas_version":"#),
        "{preview}"
    );
    assert_eq!(report["tier"], "memory");
    assert_eq!(report["resource_bucket"], "1K-5K");
    assert_eq!(report["platform_distribution"]["eks"], 2);
    assert_eq!(report["session_nonce"].as_str().unwrap().len(), 32);

    // Whether reports go out, visible from the start: sends, failures, and
    // the time of the last success.
    let (_, metrics) = server.get("/metrics");
    for line in [
        "kubeatlas_telemetry_send_errors_total 0",
        "kubeatlas_telemetry_reports_sent_total 0",
        "kubeatlas_telemetry_last_success_timestamp_seconds 0",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} not in {metrics}"
        );
    }
}

#[test]
fn each_process_has_its_own_nonce() {
    let nonce = |server: &Server| {
        let (_, preview) = server.get("/api/v1/telemetry/preview");
        let report: serde_json::Value = serde_json::from_str(&preview).unwrap();
        report["session_nonce"].as_str().unwrap().to_owned()
    };
    let first = Server::start("");
    let second = Server::start("");
    assert_eq!(nonce(&first), nonce(&first), "stable within a process");
    assert_ne!(nonce(&first), nonce(&second), "two processes share a nonce");
}

/// The demo's log lines, its stderr read through a pipe, or through a
/// terminal (a pty made by util-linux's `script`) when `pty` is set.
fn startup_logs(no_color: Option<&str>, pty: bool) -> String {
    let binary = env!("CARGO_BIN_EXE_kubeatlas-demo");
    let args = "--listen 127.0.0.1:0 --config /nonexistent/kubeatlas.toml";
    let mut command = if pty {
        // Runs for one second: long enough to log its startup lines.
        let mut command = Command::new("script");
        command.args(["-qec", &format!("timeout 1 {binary} {args}"), "/dev/null"]);
        command
    } else {
        let mut command = Command::new("timeout");
        command.args(["1", binary]).args(args.split(' '));
        command
    };
    command
        .env_remove("DO_NOT_TRACK")
        .env_remove("NO_COLOR")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null());
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let output = command.output().unwrap();
    let logs =
        String::from_utf8_lossy(if pty { &output.stdout } else { &output.stderr }).into_owned();
    assert!(logs.contains("INFO"), "no log line to check: {logs:?}");
    logs
}

/// Colour only for a person at a terminal: never in a pipe or a file, and
/// never with `NO_COLOR` set.
#[test]
fn logs_are_coloured_only_at_a_terminal_without_no_color() {
    for no_color in [None, Some("1")] {
        let logs = startup_logs(no_color, false);
        assert!(!logs.contains('\u{1b}'), "colour codes in a pipe: {logs:?}");
    }
    let logs = startup_logs(None, true);
    assert!(logs.contains('\u{1b}'), "no colour at a terminal: {logs:?}");
    let logs = startup_logs(Some("1"), true);
    assert!(
        !logs.contains('\u{1b}'),
        "colour despite NO_COLOR: {logs:?}"
    );
}
