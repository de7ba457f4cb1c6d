//! Ingest throughput and latency with concurrent loopback senders, on
//! SQLite and on PostgreSQL, and the database size per million reports.
//! A benchmark, not a test: `cargo bench -p telemetry-receiver --bench ingest
//! [-- --seconds 10 --senders 16]`. Results go in docs/performance.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use telemetry_receiver::clock::SystemClock;
use telemetry_receiver::schema::Schemas;
use telemetry_receiver::server::router;
use telemetry_receiver::store::postgres::PostgresStore;
use telemetry_receiver::store::sqlite::SqliteStore;
use telemetry_receiver::store::Store;

const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432";

fn schemas() -> Schemas {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/KubeAtlasReport.schema.json"
    ))
    .unwrap();
    Schemas::parse(&text).unwrap()
}

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
/// keep-alive connection, for `seconds`.
fn load(base: &str, senders: usize, seconds: u64) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..senders)
        .map(|sender| {
            let url = format!("{base}/v1/report");
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut latencies = Vec::new();
                let mut i = 0;
                while Instant::now() < deadline {
                    let body = report(sender, i);
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

fn print(engine: &str, outcome: &Outcome, bytes: u64) {
    println!(
        "| {engine} | {} | {:.0} | {:.1} | {:.1} | {:.0} MB |",
        outcome.sent,
        outcome.per_second,
        outcome.p50.as_secs_f64() * 1000.0,
        outcome.p99.as_secs_f64() * 1000.0,
        bytes as f64 / outcome.sent as f64 * 1e6 / 1e6,
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut seconds, mut senders) = (10, 16);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => seconds = args.next().and_then(|v| v.parse().ok()).unwrap_or(seconds),
            "--senders" => senders = args.next().and_then(|v| v.parse().ok()).unwrap_or(senders),
            _ => {} // cargo bench passes --bench
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "{senders} concurrent loopback senders, {seconds} s per engine, {} cores\n",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| engine | reports | reports/s | p50 ms | p99 ms | size per million reports |");
    println!("|---|---:|---:|---:|---:|---:|");

    let dir = std::env::temp_dir().join(format!("receiver-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("bench.db");
    let base = serve(&runtime, SqliteStore::open(&db).unwrap());
    let outcome = load(&base, senders, seconds);
    let size: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    print("SQLite", &outcome, size);
    let _ = std::fs::remove_dir_all(&dir);

    let database = format!("receiver_bench_{}", std::process::id());
    let created = runtime.block_on(async {
        let (client, connection) =
            tokio_postgres::connect(&format!("{POSTGRES}/test"), tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {database}"))
            .await
    });
    if let Err(err) = created {
        println!("\n(PostgreSQL at {POSTGRES} not reachable: {err})");
        return;
    }
    let url = format!("{POSTGRES}/{database}");
    let base = serve(
        &runtime,
        runtime.block_on(PostgresStore::connect(&url)).unwrap(),
    );
    let outcome = load(&base, senders, seconds);
    let size = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let row = client
            .query_one("SELECT pg_database_size(current_database())", &[])
            .await
            .unwrap();
        row.get::<_, i64>(0) as u64
    });
    print("PostgreSQL", &outcome, size);
}
