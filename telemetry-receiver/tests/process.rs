//! The receiver binary as it runs: it never keeps or logs who sent a
//! report, and a report it acknowledged survives SIGKILL.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::binary::{work_dir, Binary};
use common::report;

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

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("reports.db").display())
}

#[test]
fn the_sender_is_never_stored_or_logged() {
    let dir = work_dir("privacy");
    let (db, log) = (sqlite_url(&dir), dir.join("receiver.log"));
    let receiver = Binary::start_logging_debug(&db, &dir);
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

/// Runs a load of 6 concurrent senders against `receiver` and SIGKILLs it
/// after 800 ms; the nonces that got a 202.
fn load_then_kill(receiver: Binary) -> Vec<String> {
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
    acknowledged
}

/// What a store holds after the kill: how often each acknowledged nonce is
/// stored, the raw count, and the sessions, tier and cluster_count totals.
struct Stored {
    per_nonce: Vec<(String, i64)>,
    raw: i64,
    aggregates: [i64; 3],
}

impl Stored {
    #[track_caller]
    fn assert_exactly_once(&self, acknowledged: usize) {
        for (nonce, times) in &self.per_nonce {
            assert_eq!(
                *times, 1,
                "acknowledged report {nonce} is stored {times} times"
            );
        }
        assert!(self.raw >= acknowledged as i64);
        // Aggregates count each stored report once: no more, no fewer.
        assert_eq!(
            self.aggregates, [self.raw; 3],
            "sessions, tier, cluster_count"
        );
        eprintln!(
            "{acknowledged} reports acknowledged before SIGKILL, {} stored",
            self.raw
        );
    }
}

const TOTALS: [&str; 3] = [
    "SELECT SUM(sessions) FROM agg_sessions",
    "SELECT SUM(count) FROM agg_counts WHERE field = 'tier'",
    "SELECT SUM(count) FROM agg_numbers WHERE field = 'cluster_count'",
];

#[test]
fn every_acknowledged_report_survives_sigkill_exactly_once_on_sqlite() {
    let dir = work_dir("sigkill");
    let db = sqlite_url(&dir);
    let acknowledged = load_then_kill(Binary::start_logging_debug(&db, &dir));
    let restarted = Binary::start_logging_debug(&db, &dir);
    let connection = rusqlite::Connection::open(dir.join("reports.db")).unwrap();
    let count = |sql: &str| -> i64 {
        connection
            .query_row(sql, [], |row| row.get::<_, Option<i64>>(0))
            .unwrap()
            .unwrap_or(0)
    };
    let per_nonce = acknowledged
        .iter()
        .map(|nonce| {
            let times = connection
                .query_row(
                    "SELECT COUNT(*) FROM raw_reports WHERE session_key = ?1",
                    [nonce],
                    |row| row.get(0),
                )
                .unwrap();
            (nonce.clone(), times)
        })
        .collect();
    Stored {
        per_nonce,
        raw: count("SELECT COUNT(*) FROM raw_reports"),
        aggregates: TOTALS.map(count),
    }
    .assert_exactly_once(acknowledged.len());
    // And the restarted receiver takes reports again.
    assert_eq!(
        post(&restarted.addr, &report("after").to_string(), "").0,
        202
    );
}

#[test]
fn every_acknowledged_report_survives_sigkill_exactly_once_on_postgres() {
    let Some(url) = common::postgres_database("sigkill") else {
        return;
    };
    let dir = work_dir("sigkill-postgres");
    let acknowledged = load_then_kill(Binary::start_logging_debug(&url, &dir));
    let restarted = Binary::start_logging_debug(&url, &dir);
    let stored = stored_on_postgres(&url, &acknowledged);
    stored.assert_exactly_once(acknowledged.len());
    assert_eq!(
        post(&restarted.addr, &report("after").to_string(), "").0,
        202
    );
}

/// What the PostgreSQL database at `url` holds for `acknowledged`.
fn stored_on_postgres(url: &str, acknowledged: &[String]) -> Stored {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = common::postgres_client(url).await.unwrap();
        common::settled(&client).await;
        let count = |sql: &'static str| {
            let client = &client;
            async move {
                let row = client.query_one(sql, &[]).await.unwrap();
                row.try_get::<_, Option<i64>>(0)
                    .ok()
                    .flatten()
                    .or_else(|| {
                        row.try_get::<_, Option<f64>>(0)
                            .ok()
                            .flatten()
                            .map(|f| f as i64)
                    })
                    .unwrap_or(0)
            }
        };
        let mut per_nonce = Vec::new();
        for nonce in acknowledged {
            let row = client
                .query_one(
                    "SELECT COUNT(*) FROM raw_reports WHERE session_key = $1",
                    &[nonce],
                )
                .await
                .unwrap();
            per_nonce.push((nonce.clone(), row.get::<_, i64>(0)));
        }
        Stored {
            per_nonce,
            raw: count("SELECT COUNT(*) FROM raw_reports").await,
            aggregates: [
                count("SELECT SUM(sessions)::BIGINT FROM agg_sessions").await,
                count("SELECT SUM(count)::BIGINT FROM agg_counts WHERE field = 'tier'").await,
                count("SELECT SUM(count)::BIGINT FROM agg_numbers WHERE field = 'cluster_count'")
                    .await,
            ],
        }
    })
}

/// Sends reports from 6 senders spread over `addrs` until `stop`; the
/// nonces that got a 202.
fn load(addrs: &[String], stop: &Arc<AtomicBool>) -> Vec<thread::JoinHandle<Vec<String>>> {
    (0..6)
        .map(|sender| {
            let (addrs, stop) = (addrs.to_vec(), Arc::clone(stop));
            thread::spawn(move || {
                let mut acknowledged = Vec::new();
                // Bounded: at most 2,000 reports a sender.
                for i in 0..2_000 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let nonce = format!("m{sender}-{i}");
                    let addr = &addrs[(sender + i) % addrs.len()];
                    if post(addr, &report(&nonce).to_string(), "").0 == 202 {
                        acknowledged.push(nonce);
                    }
                }
                acknowledged
            })
        })
        .collect()
}

#[test]
fn sigkill_of_one_of_three_receivers_loses_no_acknowledged_report() {
    let Some(url) = common::postgres_database("three_sigkill") else {
        return;
    };
    let dir = work_dir("three-sigkill");
    // Started at the same moment, on a fresh database.
    let starting: Vec<_> = (0..3)
        .map(|n| {
            let (url, own) = (url.clone(), dir.join(format!("receiver{n}")));
            std::fs::create_dir_all(&own).unwrap();
            thread::spawn(move || Binary::start_logging_debug(&url, &own))
        })
        .collect();
    let mut receivers: Vec<Binary> = starting.into_iter().map(|r| r.join().unwrap()).collect();
    let addrs: Vec<String> = receivers.iter().map(|r| r.addr.clone()).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let senders = load(&addrs, &stop);
    thread::sleep(Duration::from_millis(800));
    drop(receivers.remove(0)); // SIGKILL, mid-load.
    thread::sleep(Duration::from_millis(400));
    stop.store(true, Ordering::SeqCst);
    let acknowledged: Vec<String> = senders
        .into_iter()
        .flat_map(|sender| sender.join().unwrap())
        .collect();
    assert!(
        acknowledged.len() > 20,
        "the load was too light to mean anything"
    );
    stored_on_postgres(&url, &acknowledged).assert_exactly_once(acknowledged.len());
    assert_eq!(post(&addrs[1], &report("after").to_string(), "").0, 202);
}
