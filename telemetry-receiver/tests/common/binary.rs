//! The receiver binary, started on a loopback port, and raw HTTP/1.1
//! exchanges with it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub struct Binary {
    pub child: Child,
    pub addr: String,
    pub log: PathBuf,
}

impl Binary {
    /// Starts the receiver on `db` with the KubeAtlas schema.
    pub fn start(db: &str, dir: &Path, extra: &[&str]) -> Binary {
        let schema = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/KubeAtlasReport.schema.json"
        );
        Binary::start_with_schema(db, Path::new(schema), dir, extra)
    }

    /// Starts the receiver on `db` with the schema file `schema`, logging
    /// to `dir/receiver.log`.
    pub fn start_with_schema(db: &str, schema: &Path, dir: &Path, extra: &[&str]) -> Binary {
        Binary::spawn(Binary::command(db, schema, extra), dir)
    }

    /// [`Binary::start`] logging at the debug level: what a test of what
    /// the logs never hold reads.
    pub fn start_logging_debug(db: &str, dir: &Path) -> Binary {
        let schema = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/KubeAtlasReport.schema.json"
        );
        let mut command = Binary::command(db, Path::new(schema), &[]);
        command.env("RUST_LOG", "debug");
        Binary::spawn(command, dir)
    }

    fn command(db: &str, schema: &Path, extra: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_telemetry-receiver"));
        command
            .arg("--schema")
            .arg(schema)
            .args(["--listen", "127.0.0.1:0", "--db", db])
            .args(extra);
        command
    }

    fn spawn(mut command: Command, dir: &Path) -> Binary {
        let log = dir.join("receiver.log");
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Binary { child, addr, log }
    }

    /// Sends `signal` (`TERM`, `INT`, `HUP`).
    pub fn signal(&self, signal: &str) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status();
        assert!(sent.unwrap().success());
    }

    /// Sends `signal` and waits, at most 30 s, for the exit.
    pub fn signal_and_wait(&mut self, signal: &str) -> ExitStatus {
        self.signal(signal);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "still running 30 s after SIG{signal}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("receiver-binary")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Sends `request` as is on a new connection; the status of the answer
/// (0 when there is none).
pub fn exchange(addr: &str, request: &[u8]) -> u16 {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return 0;
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer)
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

pub fn post(addr: &str, body: &str) -> u16 {
    let request = format!(
        "POST /v1/report HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    exchange(addr, request.as_bytes())
}

pub fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
