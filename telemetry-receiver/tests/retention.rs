//! Retention stated once: the binary takes the schema file's
//! `x-raw-retention-days` as the default of `--raw-retention-days`,
//! accepts a shorter one, and refuses to start (status 1, the reason on
//! stderr) when told to keep raw reports longer than the file promises.

mod common;
mod dashboard_support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dashboard_support::{annotated, DEMO};

fn schema_file(name: &str, days: i64) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("retention")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("Report.schema.json");
    std::fs::write(&path, annotated(DEMO, days)).unwrap();
    path
}

fn receiver(schema: &PathBuf, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_telemetry-receiver"));
    command
        .env_remove("TELEMETRY_RECEIVER_RAW_RETENTION_DAYS")
        .env("RUST_LOG", "info")
        .arg("--schema")
        .arg(schema)
        .arg(format!(
            "--db=sqlite://{}",
            schema.with_file_name("reports.db").display()
        ))
        .args(["--listen", "127.0.0.1:0"])
        .args(extra);
    command
}

/// Starts the receiver, waits for its first line, stops it; its logs.
fn logs_of_a_start(command: &mut Command) -> String {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("listening on http://"), "{first}");
    child.kill().unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn the_schema_files_retention_is_the_default_and_the_limit() {
    let schema = schema_file("default", 30);
    let logs = logs_of_a_start(&mut receiver(&schema, &[]));
    assert!(logs.contains("raw reports kept 30 days"), "{logs}");
    let logs = logs_of_a_start(&mut receiver(&schema, &["--raw-retention-days", "7"]));
    assert!(
        logs.contains("raw reports kept 7 days"),
        "shorter is fine: {logs}"
    );

    let mut longer = receiver(&schema, &["--raw-retention-days", "31"]);
    let mut child = longer
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "it started anyway");
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--raw-retention-days 31 keeps raw reports longer than the schema file promises (x-raw-retention-days: 30)"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing was served");
}
