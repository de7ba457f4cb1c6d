//! The receiver's command line, as the binary answers it: `--help` and
//! `--version` on stdout with status 0, `--flag=value`, every flag from its
//! environment variable, usage errors with status 2 and the usage on stderr,
//! and status 1 with the reason when it cannot run.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Every flag and the variable it can be read from.
const FLAGS: [(&str, &str); 11] = [
    ("--schema", "TELEMETRY_RECEIVER_SCHEMA"),
    ("--db", "TELEMETRY_RECEIVER_DB"),
    ("--listen", "TELEMETRY_RECEIVER_LISTEN"),
    (
        "--raw-retention-days",
        "TELEMETRY_RECEIVER_RAW_RETENTION_DAYS",
    ),
    (
        "--maintenance-every-secs",
        "TELEMETRY_RECEIVER_MAINTENANCE_EVERY_SECS",
    ),
    ("--log-format", "TELEMETRY_RECEIVER_LOG_FORMAT"),
    ("--threads", "TELEMETRY_RECEIVER_THREADS"),
    (
        "--header-timeout-secs",
        "TELEMETRY_RECEIVER_HEADER_TIMEOUT_SECS",
    ),
    ("--max-header-bytes", "TELEMETRY_RECEIVER_MAX_HEADER_BYTES"),
    ("--max-connections", "TELEMETRY_RECEIVER_MAX_CONNECTIONS"),
    (
        "--shutdown-grace-secs",
        "TELEMETRY_RECEIVER_SHUTDOWN_GRACE_SECS",
    ),
];

/// How long a command that should exit at once, or a server that should
/// come up, is given.
const DEADLINE: Duration = Duration::from_secs(30);

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/KubeAtlasReport.schema.json"
);

/// The binary with none of its variables inherited from the test's
/// environment.
fn receiver() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_telemetry-receiver"));
    for (_, var) in FLAGS {
        command.env_remove(var);
    }
    command.env_remove("RUST_LOG");
    command
}

struct Exited {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs a command that should exit by itself; killed (and the test failed)
/// if it is still running at the deadline.
fn exits(command: &mut Command) -> Exited {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the receiver did not exit within {DEADLINE:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    Exited {
        status: output.status,
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// A receiver that came up; killed when dropped.
struct Running {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Running {
    /// Starts `command` and waits, at most until the deadline, for its
    /// `listening on http://...` line.
    fn start(command: &mut Command, log: PathBuf) -> Running {
        let mut child = command
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, receive) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = send.send(line);
        });
        let line = receive.recv_timeout(DEADLINE);
        let mut running = Running {
            child,
            addr: String::new(),
            log,
        };
        let line = line.unwrap_or_else(|_| {
            panic!(
                "the receiver did not come up within {DEADLINE:?}:\n{}",
                running.logs()
            )
        });
        running.addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}:\n{}", running.logs()))
            .to_owned();
        running
    }

    fn logs(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("receiver-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_is_on_stdout_with_every_flag_and_its_variable() {
    for help in ["--help", "-h"] {
        let out = exits(receiver().arg(help));
        assert_eq!(out.status.code(), Some(0), "{help}: {}", out.stderr);
        assert_eq!(out.stderr, "", "{help}");
        assert!(out.stdout.contains("Usage: telemetry-receiver"), "{help}");
        for (flag, var) in FLAGS {
            assert!(out.stdout.contains(flag), "{help} lacks {flag}");
            assert!(out.stdout.contains(var), "{help} lacks {var}");
        }
        for default in ["sqlite://reports.db", "127.0.0.1:9090", "90", "3600"] {
            assert!(out.stdout.contains(default), "{help} lacks {default}");
        }
    }
}

#[test]
fn help_never_shows_the_database_url_from_the_environment() {
    let out = exits(
        receiver()
            .arg("--help")
            .env("TELEMETRY_RECEIVER_DB", "postgres://u:hunter2@localhost/t"),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(!out.stdout.contains("hunter2"), "{}", out.stdout);
}

#[test]
fn version_is_on_stdout() {
    for version in ["--version", "-V"] {
        let out = exits(receiver().arg(version));
        assert_eq!(out.status.code(), Some(0), "{version}: {}", out.stderr);
        assert_eq!(
            out.stdout,
            concat!("telemetry-receiver ", env!("CARGO_PKG_VERSION"), "\n")
        );
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn flags_take_their_value_after_an_equals_sign() {
    let dir = work_dir("equals");
    let db = dir.join("reports.db");
    let running = Running::start(
        receiver().args([
            format!("--schema={SCHEMA}"),
            "--listen=127.0.0.1:0".to_owned(),
            format!("--db=sqlite://{}", db.display()),
            "--raw-retention-days=7".to_owned(),
            "--maintenance-every-secs=60".to_owned(),
        ]),
        dir.join("receiver.log"),
    );
    assert!(running.addr.starts_with("127.0.0.1:"), "{}", running.addr);
    assert_ne!(running.addr, "127.0.0.1:0");
    assert!(db.exists(), "the database is not at --db's path");
    let logs = running.logs();
    assert!(logs.contains("raw reports kept 7 days"), "{logs}");
}

#[test]
fn every_flag_can_come_from_its_environment_variable() {
    let dir = work_dir("env");
    let db = dir.join("from-env.db");
    let running = Running::start(
        receiver()
            .env("TELEMETRY_RECEIVER_SCHEMA", SCHEMA)
            .env("TELEMETRY_RECEIVER_LISTEN", "127.0.0.1:0")
            .env(
                "TELEMETRY_RECEIVER_DB",
                format!("sqlite://{}", db.display()),
            )
            .env("TELEMETRY_RECEIVER_RAW_RETENTION_DAYS", "12")
            .env("TELEMETRY_RECEIVER_MAINTENANCE_EVERY_SECS", "60")
            .env("TELEMETRY_RECEIVER_LOG_FORMAT", "json")
            .env("TELEMETRY_RECEIVER_HEADER_TIMEOUT_SECS", "3")
            .env("TELEMETRY_RECEIVER_MAX_HEADER_BYTES", "9000")
            .env("TELEMETRY_RECEIVER_MAX_CONNECTIONS", "8")
            .env("TELEMETRY_RECEIVER_SHUTDOWN_GRACE_SECS", "2")
            .env("TELEMETRY_RECEIVER_THREADS", "3"),
        dir.join("receiver.log"),
    );
    assert!(running.addr.starts_with("127.0.0.1:"), "{}", running.addr);
    assert!(db.exists(), "the database is not at TELEMETRY_RECEIVER_DB");
    let logs = running.logs();
    assert!(logs.contains("raw reports kept 12 days"), "{logs}");
    assert!(logs.contains("; 3 runtime threads"), "{logs}");
    let first = logs.lines().next().unwrap_or_default();
    assert!(
        serde_json::from_str::<serde_json::Value>(first).is_ok(),
        "not JSON lines: {logs}"
    );
}

#[test]
fn a_flag_wins_over_its_environment_variable() {
    let dir = work_dir("flag-over-env");
    let running = Running::start(
        receiver()
            .args(["--schema", SCHEMA, "--listen", "127.0.0.1:0"])
            .arg(format!("--db=sqlite://{}", dir.join("r.db").display()))
            .args(["--raw-retention-days", "5"])
            .env("TELEMETRY_RECEIVER_RAW_RETENTION_DAYS", "40"),
        dir.join("receiver.log"),
    );
    let logs = running.logs();
    assert!(logs.contains("raw reports kept 5 days"), "{logs}");
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    let out = exits(receiver().args(["--schema", SCHEMA, "--bogus"]));
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("--bogus"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Usage: telemetry-receiver"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_schema_is_a_usage_error() {
    let out = exits(&mut receiver());
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("--schema"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Usage: telemetry-receiver"),
        "{}",
        out.stderr
    );
}

/// Runs with `--schema` and `args`, plus `var` set to a value.
fn usage_error(args: &[&str], var: Option<(&str, &str)>, flag: &str) {
    let mut command = receiver();
    command.args(["--schema", SCHEMA]).args(args);
    if let Some((var, value)) = var {
        command.env(var, value);
    }
    let out = exits(&mut command);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} {var:?}: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains(flag),
        "{args:?} {var:?}: {}",
        out.stderr
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn a_bad_value_is_a_usage_error_from_a_flag_or_a_variable() {
    usage_error(&["--db=mysql://x"], None, "--db");
    usage_error(&["--listen", "nowhere"], None, "--listen");
    usage_error(&["--raw-retention-days=0"], None, "--raw-retention-days");
    usage_error(
        &[],
        Some(("TELEMETRY_RECEIVER_MAINTENANCE_EVERY_SECS", "-1")),
        "--maintenance-every-secs",
    );
    usage_error(&[], Some(("TELEMETRY_RECEIVER_DB", "file.db")), "--db");
    usage_error(&["--log-format", "xml"], None, "--log-format");
    usage_error(&["--threads=0"], None, "--threads");
    usage_error(
        &[],
        Some(("TELEMETRY_RECEIVER_MAX_CONNECTIONS", "0")),
        "--max-connections",
    );
}

#[test]
fn what_keeps_it_from_running_exits_1_with_the_reason() {
    let dir = work_dir("runtime-errors");
    let missing = dir.join("missing.schema.json");
    let out = exits(receiver().arg(format!("--schema={}", missing.display())));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot read the schema") && out.stderr.contains("missing.schema.json"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("Usage:"), "{}", out.stderr);

    let unopenable = dir.join("no-such-dir").join("reports.db");
    let out = exits(receiver().args([
        "--schema".to_owned(),
        SCHEMA.to_owned(),
        format!("--db=sqlite://{}", unopenable.display()),
        "--listen=127.0.0.1:0".to_owned(),
    ]));
    assert_eq!(out.status.code(), Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot open the database"),
        "{}",
        out.stderr
    );
}
