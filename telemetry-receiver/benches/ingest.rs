//! Ingest throughput and latency with concurrent loopback senders, on
//! SQLite and on PostgreSQL (one receiver, then three on one database),
//! the database size per million reports, and reports per fsync of the
//! disk written to (its fsyncs per second measured by a probe first).
//! A benchmark, not a test: `cargo bench -p telemetry-receiver --bench ingest
//! [-- --seconds 10 --senders 16,64]`. Results go in docs/performance.md.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use telemetry_receiver::clock::SystemClock;
use telemetry_receiver::server::router;
use telemetry_receiver::store::postgres::PostgresStore;
use telemetry_receiver::store::sqlite::SqliteStore;
use telemetry_receiver::store::Store;

use common::{schemas, POSTGRES};

fn report(sender: usize, i: usize) -> String {
    let tier = ["memory", "postgres"][(sender + i) % 2];
    let arch = ["x86_64", "aarch64"][i % 2];
    json!({
        "schema_version": "1.0",
        "kubeatlas_version": format!("0.{}.0", i % 7),
        "k8s_version": "v1.31.2",
        "os": "linux",
        "arch": arch,
        "tier": tier,
        "resource_bucket": "1K-5K",
        "enabled_packs": ["cis-benchmark", "pod-security"],
        "cluster_count": i % 50,
        "platform_distribution": { "eks": 2, "kind": 1 },
        "session_nonce": format!("{sender:04}-{i:08}-{}", std::process::id())
    })
    .to_string()
}

struct Outcome {
    sent: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// Runs `senders` threads, each posting reports one after another over a
/// keep-alive connection (sender `n` to `bases[n % len]`), for `seconds`.
fn load(bases: &[String], senders: usize, seconds: u64) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    // Nonces differ between runs of one process.
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst) * 10_000;
    let threads: Vec<_> = (0..senders)
        .map(|sender| {
            let url = format!("{}/v1/report", bases[sender % bases.len()]);
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut latencies = Vec::new();
                let mut i = 0;
                while Instant::now() < deadline {
                    let body = report(run + sender, i);
                    let sent = Instant::now();
                    let status = agent
                        .post(&url)
                        .header("content-type", "application/json")
                        .send(body.as_bytes())
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    assert_eq!(status, 202, "the receiver refused a report");
                    latencies.push(sent.elapsed());
                    i += 1;
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Outcome {
        sent: latencies.len(),
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn serve<S: Store>(runtime: &tokio::runtime::Runtime, store: S) -> String {
    let receiver = telemetry_receiver::receiver(schemas(), store, Arc::new(SystemClock), 90);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let limits = telemetry_receiver::edge::Limits::default();
    runtime.spawn(telemetry_receiver::edge::serve(
        listener,
        router(receiver),
        limits,
        std::future::pending(),
    ));
    base
}

/// Write+fsync cycles per second on the disk of `dir`: 4 KiB appended
/// and `fdatasync`ed, for one second. What one commit costs at least.
fn fsyncs_per_second(dir: &Path) -> f64 {
    let path = dir.join("fsync-probe");
    let Ok(mut file) = std::fs::File::create(&path) else {
        return 0.0;
    };
    let block = [7u8; 4096];
    let started = Instant::now();
    let mut cycles = 0u32;
    while started.elapsed() < Duration::from_secs(1) {
        if file
            .write_all(&block)
            .and_then(|()| file.sync_data())
            .is_err()
        {
            return 0.0;
        }
        cycles += 1;
    }
    let _ = std::fs::remove_file(&path);
    f64::from(cycles) / started.elapsed().as_secs_f64()
}

fn print(engine: &str, senders: usize, outcome: &Outcome, bytes: u64, fsyncs: f64) {
    println!(
        "| {engine} | {senders} | {} | {:.0} | {:.1} | {:.1} | {:.2} | {:.0} MB |",
        outcome.sent,
        outcome.per_second,
        outcome.p50.as_secs_f64() * 1000.0,
        outcome.p99.as_secs_f64() * 1000.0,
        outcome.per_second / fsyncs,
        bytes as f64 / outcome.sent as f64 * 1e6 / 1e6,
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut seconds, mut senders) = (10, vec![16, 64]);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => seconds = args.next().and_then(|v| v.parse().ok()).unwrap_or(seconds),
            "--senders" => {
                let list = args.next().unwrap_or_default();
                let parsed: Vec<usize> = list.split(',').filter_map(|n| n.parse().ok()).collect();
                if !parsed.is_empty() {
                    senders = parsed;
                }
            }
            _ => {} // cargo bench passes --bench
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("receiver-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fsyncs = fsyncs_per_second(&dir);
    println!(
        "concurrent loopback senders, {seconds} s per run, {} cores; the disk of {} does {fsyncs:.0} write+fsync/s\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        dir.display()
    );
    println!("| engine | senders | reports | reports/s | p50 ms | p99 ms | reports per fsync | size per million reports |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");

    for &senders in &senders {
        let db = dir.join(format!("bench-{senders}.db"));
        let base = serve(&runtime, SqliteStore::open(&db).unwrap());
        let outcome = load(&[base], senders, seconds);
        let size: u64 = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|f| f.ok()?.metadata().ok())
            .map(|m| m.len())
            .sum();
        print("SQLite", senders, &outcome, size, fsyncs);
        for file in std::fs::read_dir(&dir).unwrap().flatten() {
            let _ = std::fs::remove_file(file.path());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);

    for receivers in [1, 3] {
        for &senders in &senders {
            let Some(url) = postgres_database(&runtime, receivers, senders) else {
                return;
            };
            let bases: Vec<String> = (0..receivers)
                .map(|_| {
                    let store = runtime.block_on(PostgresStore::connect(&url)).unwrap();
                    serve(&runtime, store)
                })
                .collect();
            let outcome = load(&bases, senders, seconds);
            let size = runtime.block_on(async {
                let client = common::postgres_client(&url).await.unwrap();
                let row = client
                    .query_one("SELECT pg_database_size(current_database())", &[])
                    .await
                    .unwrap();
                row.get::<_, i64>(0) as u64
            });
            let engine = match receivers {
                1 => "PostgreSQL, 1 receiver".to_owned(),
                n => format!("PostgreSQL, {n} receivers on one database"),
            };
            print(&engine, senders, &outcome, size, fsyncs);
        }
    }
}

/// A fresh database for one run, or `None` (said on stdout) without a
/// server.
fn postgres_database(
    runtime: &tokio::runtime::Runtime,
    receivers: usize,
    senders: usize,
) -> Option<String> {
    let database = format!(
        "receiver_bench_{}_{receivers}_{senders}",
        std::process::id()
    );
    let created = runtime.block_on(async {
        let client = common::postgres_client(&format!("{POSTGRES}/test")).await?;
        client
            .batch_execute(&format!("CREATE DATABASE {database}"))
            .await
    });
    match created {
        Ok(()) => Some(format!("{POSTGRES}/{database}")),
        Err(err) => {
            println!("\n(PostgreSQL at {POSTGRES} not reachable: {err})");
            None
        }
    }
}
