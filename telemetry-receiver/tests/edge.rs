//! The receiver binary's HTTP edge and its operations: half-sent requests
//! are closed, a body that stops arriving is 408, a huge header is 431, connections past the bound wait,
//! SIGTERM and SIGINT finish the reports in flight and exit 0, and
//! `/healthz`, `/readyz`, `/metrics` and JSON logs are there.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::binary::{exchange, get, post, work_dir, Binary};
use common::report;

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("reports.db").display())
}

#[test]
fn half_sent_requests_are_closed_within_the_header_timeout() {
    let dir = work_dir("half-sent");
    let receiver = Binary::start(&sqlite_url(&dir), &dir, &["--header-timeout-secs", "2"]);
    let started = Instant::now();
    let held: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut stream = TcpStream::connect(&receiver.addr).unwrap();
            stream.write_all(b"POST /v1/report HTT").unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(15)))
                .unwrap();
            stream
        })
        .collect();
    for mut stream in held {
        let mut rest = Vec::new();
        // Closed by the receiver: EOF (or a reset), not our read timeout.
        let closed = match stream.read_to_end(&mut rest) {
            Ok(_) => true,
            Err(err) => !matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        };
        assert!(closed, "a half-sent request was held open");
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "closed only after {took:?}");
    // And the receiver still answers.
    assert_eq!(post(&receiver.addr, &report("after").to_string()), 202);
}

#[test]
fn a_body_that_stops_arriving_is_408_after_the_body_timeout() {
    let dir = work_dir("slow-body");
    let receiver = Binary::start(&sqlite_url(&dir), &dir, &[]);
    let mut stream = TcpStream::connect(&receiver.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let started = Instant::now();
    stream
        .write_all(
            b"POST /v1/report HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 200\r\n\r\n{\"schema_version\": ",
        )
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let took = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("the body did not arrive within 10 s"),
        "{answer}"
    );
    // The body's own timeout, not the header one (5 s) nor our read's.
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(25),
        "answered after {took:?}"
    );
    assert_eq!(post(&receiver.addr, &report("after").to_string()), 202);
}

#[test]
fn a_huge_header_is_431() {
    let dir = work_dir("huge-header");
    let receiver = Binary::start(&sqlite_url(&dir), &dir, &[]);
    for size in [20 * 1024, 420 * 1024] {
        let request = format!(
            "GET /healthz HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\n\r\n",
            "a".repeat(size)
        );
        assert_eq!(
            exchange(&receiver.addr, request.as_bytes()),
            431,
            "{size} bytes"
        );
    }
    assert_eq!(get(&receiver.addr, "/healthz").0, 200);
}

#[test]
fn connections_past_the_bound_wait_until_one_closes() {
    let dir = work_dir("connection-bound");
    let extra = ["--max-connections", "2", "--header-timeout-secs", "3"];
    let receiver = Binary::start(&sqlite_url(&dir), &dir, &extra);
    let held: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = TcpStream::connect(&receiver.addr).unwrap();
            stream.write_all(b"GET /heal").unwrap();
            stream
        })
        .collect();
    thread::sleep(Duration::from_millis(200));
    let mut third = TcpStream::connect(&receiver.addr).unwrap();
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    let mut answer = Vec::new();
    assert!(
        third.read_to_end(&mut answer).is_err() && answer.is_empty(),
        "served past the bound"
    );
    // Once the held ones time out, the waiting one is served.
    third
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let _ = third.read_to_end(&mut answer);
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{answer:?}"
    );
    drop(held);
}

#[test]
fn health_readiness_metrics_and_json_logs() {
    let dir = work_dir("operations");
    let receiver = Binary::start(&sqlite_url(&dir), &dir, &["--log-format", "json"]);
    assert_eq!(get(&receiver.addr, "/healthz").0, 200);
    assert_eq!(get(&receiver.addr, "/readyz").0, 200);
    assert_eq!(post(&receiver.addr, &report("m1").to_string()), 202);
    assert_eq!(post(&receiver.addr, &report("m1").to_string()), 202);
    assert_eq!(post(&receiver.addr, "{"), 400);
    let (status, metrics) = get(&receiver.addr, "/metrics");
    assert_eq!(status, 200);
    for line in [
        "telemetry_receiver_reports_stored_total 1",
        "telemetry_receiver_reports_duplicate_total 1",
        "telemetry_receiver_reports_refused_total{status=\"400\",reason=\"not_json\"} 1",
        "telemetry_receiver_commit_batch_size_count 2",
        "telemetry_receiver_commit_seconds_bucket",
    ] {
        assert!(metrics.contains(line), "no {line} in\n{metrics}");
    }
    assert!(!metrics.contains("127.0.0.1"), "an address in the metrics");
    let mut receiver = receiver;
    assert!(receiver.signal_and_wait("INT").success(), "SIGINT exits 0");
    let logs = std::fs::read_to_string(&receiver.log).unwrap();
    assert!(logs.lines().count() >= 2, "{logs}");
    for line in logs.lines() {
        let parsed: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|err| panic!("not a JSON line ({err}): {line}"));
        assert!(parsed["fields"]["message"].is_string(), "{line}");
    }
}

/// Loads `receiver` from 6 senders, SIGTERMs it mid-load: it exits 0 and
/// every report it acknowledged is stored exactly once.
fn sigterm_under_load(mut receiver: Binary, stored: impl Fn(&str) -> i64) {
    let stop = Arc::new(AtomicBool::new(false));
    let so_far = Arc::new(AtomicUsize::new(0));
    let senders: Vec<_> = (0..6)
        .map(|sender| {
            let (addr, stop, so_far) = (
                receiver.addr.clone(),
                Arc::clone(&stop),
                Arc::clone(&so_far),
            );
            thread::spawn(move || {
                let mut acknowledged = Vec::new();
                for i in 0..2_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let nonce = format!("t{sender}-{i}");
                    if post(&addr, &report(&nonce).to_string()) == 202 {
                        acknowledged.push(nonce);
                        so_far.fetch_add(1, Ordering::SeqCst);
                    }
                }
                acknowledged
            })
        })
        .collect();
    // Under load: some reports in (at most 20 s on a busy machine), more
    // on their way.
    let deadline = Instant::now() + Duration::from_secs(20);
    while so_far.load(Ordering::SeqCst) < 50 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let status = receiver.signal_and_wait("TERM");
    stop.store(true, Ordering::SeqCst);
    assert!(status.success(), "SIGTERM exits 0, not {status}");
    let acknowledged: Vec<String> = senders
        .into_iter()
        .flat_map(|s| s.join().unwrap())
        .collect();
    assert!(
        acknowledged.len() > 20,
        "the load was too light to mean anything"
    );
    for nonce in &acknowledged {
        assert_eq!(stored(nonce), 1, "acknowledged {nonce} is not stored once");
    }
    let logs = std::fs::read_to_string(&receiver.log).unwrap();
    assert!(logs.contains("SIGTERM"), "{logs}");
}

#[test]
fn sigterm_under_load_finishes_the_reports_in_flight_and_exits_0() {
    let dir = work_dir("sigterm");
    let db = dir.join("reports.db");
    let receiver = Binary::start(&sqlite_url(&dir), &dir, &[]);
    sigterm_under_load(receiver, |nonce| {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT COUNT(*) FROM raw_reports WHERE session_key = ?1",
                [nonce],
                |row| row.get(0),
            )
            .unwrap()
    });
    let Some(url) = common::postgres_database("sigterm") else {
        return;
    };
    let dir = work_dir("sigterm-postgres");
    let receiver = Binary::start(&url, &dir, &[]);
    let database = common::Database::Postgres(url);
    sigterm_under_load(receiver, |nonce| {
        common::count_in(
            &database,
            &format!("SELECT COUNT(*) FROM raw_reports WHERE session_key = '{nonce}'"),
        )
    });
}

/// Six reports inventing 200 list elements and 200 map keys each: 1,200
/// distinct of each, so the day's cap of 1,000 counts 200 of each as
/// `(other)`, and `/metrics` says 400 (on PostgreSQL once the batches are
/// folded, within a few seconds).
fn values_folded_by_the_cap_are_counted(receiver: Binary) {
    for sender in 0..6 {
        let mut one = report(&format!("inventor{sender}"));
        let invented: Vec<String> = (0..200).map(|i| format!("pack-{sender}-{i:03}")).collect();
        one["enabled_packs"] = serde_json::json!(invented);
        one["platform_distribution"] = invented
            .iter()
            .map(|key| (key.clone(), serde_json::json!(1)))
            .collect();
        assert_eq!(post(&receiver.addr, &one.to_string()), 202);
    }
    let expected = "telemetry_receiver_values_folded_total 400";
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, metrics) = get(&receiver.addr, "/metrics");
        assert_eq!(status, 200);
        if metrics.contains(expected) {
            return;
        }
        assert!(Instant::now() < deadline, "no {expected} in\n{metrics}");
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn values_the_day_s_cap_folds_into_other_are_in_the_metrics() {
    let dir = work_dir("folded-metrics");
    values_folded_by_the_cap_are_counted(Binary::start(&sqlite_url(&dir), &dir, &[]));
    if let Some(url) = common::postgres_database("folded_metrics") {
        values_folded_by_the_cap_are_counted(Binary::start(&url, &dir, &[]));
    }
}
