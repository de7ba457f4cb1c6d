//! The receiver binary as it runs: it never keeps or logs who sent a
//! report, and a report it acknowledged survives SIGKILL.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::report;

struct Binary {
    child: Child,
    addr: String,
}

impl Binary {
    /// Starts the receiver on `db` (a SQLite file), logging to `log`.
    fn start(db: &Path, log: &Path) -> Binary {
        let schema = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/KubeAtlasReport.schema.json"
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_telemetry-receiver"))
            .args(["--schema", schema, "--listen", "127.0.0.1:0", "--db"])
            .arg(format!("sqlite://{}", db.display()))
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log).unwrap())
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
        Binary { child, addr }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One POST over a connection of its own, with extra `headers`; the status
/// and the client's own address.
fn post(addr: &str, body: &str, headers: &str) -> (u16, String) {
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return (0, String::new()); // The receiver is down (killed).
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let local = stream.local_addr().unwrap().to_string();
    let request = format!(
        "POST /v1/report HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{headers}\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return (0, local);
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, local)
}

fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("receiver-process")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_sender_is_never_stored_or_logged() {
    let dir = work_dir("privacy");
    let (db, log) = (dir.join("reports.db"), dir.join("receiver.log"));
    let receiver = Binary::start(&db, &log);
    let headers = "user-agent: privacy-probe/7.1\r\nx-forwarded-for: 203.0.113.77\r\nx-real-ip: 198.51.100.9\r\n";
    let mut clients = Vec::new();
    for i in 0..5 {
        let (status, client) = post(
            &receiver.addr,
            &report(&format!("p{i}")).to_string(),
            headers,
        );
        assert_eq!(status, 202);
        clients.push(client);
    }
    // A refused report is not logged with its sender either.
    assert_eq!(post(&receiver.addr, "{", headers).0, 400);
    drop(receiver);

    let mut stored = Vec::new();
    for file in std::fs::read_dir(&dir).unwrap() {
        let path = file.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("reports.db")
        {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(stored.len() > 4096, "the reports were stored");
    let stored = String::from_utf8_lossy(&stored);
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("DEBUG") || logs.contains("INFO"),
        "nothing was logged: {logs}"
    );
    for secret in ["privacy-probe", "203.0.113.77", "198.51.100.9"] {
        assert!(!stored.contains(secret), "{secret} is in the database");
        assert!(!logs.contains(secret), "{secret} is in the logs:\n{logs}");
    }
    assert!(
        !stored.contains("127.0.0.1"),
        "the client's address is in the database"
    );
    for client in &clients {
        assert!(
            !logs.contains(client.as_str()),
            "{client} is in the logs:\n{logs}"
        );
    }
}

#[test]
fn every_acknowledged_report_survives_sigkill_exactly_once() {
    let dir = work_dir("sigkill");
    let (db, log) = (dir.join("reports.db"), dir.join("receiver.log"));
    let receiver = Binary::start(&db, &log);
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..6)
        .map(|sender| {
            let (addr, acknowledged, stop) = (
                receiver.addr.clone(),
                Arc::clone(&acknowledged),
                Arc::clone(&stop),
            );
            thread::spawn(move || {
                // Bounded: at most 2,000 reports a sender, and only until the kill.
                for i in 0..2_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let nonce = format!("k{sender}-{i}");
                    if post(&addr, &report(&nonce).to_string(), "").0 == 202 {
                        acknowledged.lock().unwrap().push(nonce);
                    }
                }
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(800));
    drop(receiver); // SIGKILL, mid-load.
    stop.store(true, Ordering::SeqCst);
    for sender in senders {
        sender.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 20,
        "the load was too light to mean anything"
    );

    let restarted = Binary::start(&db, &log);
    let connection = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { connection.query_row(sql, [], |row| row.get(0)).unwrap() };
    for nonce in &acknowledged {
        let stored: i64 = connection
            .query_row(
                "SELECT COUNT(*) FROM raw_reports WHERE session_key = ?1",
                [nonce],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(
            stored, 1,
            "acknowledged report {nonce} is stored {stored} times"
        );
    }
    let raw = count("SELECT COUNT(*) FROM raw_reports");
    assert!(raw >= acknowledged.len() as i64);
    // Aggregates count each stored report once: no more, no fewer.
    assert_eq!(count("SELECT SUM(sessions) FROM agg_sessions"), raw);
    assert_eq!(
        count("SELECT SUM(count) FROM agg_counts WHERE field = 'tier'"),
        raw
    );
    assert_eq!(
        count("SELECT SUM(count) FROM agg_numbers WHERE field = 'cluster_count'"),
        raw
    );
    // And the restarted receiver takes reports again.
    assert_eq!(
        post(&restarted.addr, &report("after").to_string(), "").0,
        202
    );
    eprintln!(
        "{} reports acknowledged before SIGKILL, {raw} stored",
        acknowledged.len()
    );
}
