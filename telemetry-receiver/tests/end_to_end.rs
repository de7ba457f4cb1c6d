//! The KubeAtlas demo's own reporter sending to a running receiver (through
//! the reporter's loopback seam), and a PostgreSQL outage in the middle.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::relay::Relay;
use common::{report, Running};
use kubeatlas_demo::payload::{Inventory, KubeAtlasReport};
use kubeatlas_demo::APP;
use telemetry_core::{Preview, Reporter, TelemetryConfig};
use telemetry_receiver::store::postgres::PostgresStore;
use telemetry_receiver::store::Store;

fn wait_for(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    condition()
}

fn demo_reports_to(running: Running<impl Store>) {
    let preview = Preview::new(|| KubeAtlasReport::snapshot(&Inventory::default()));
    let _reporter = Reporter::builder(APP, preview)
        .loopback_endpoint(&format!("{}/v1/report", running.base))
        .unwrap()
        .timings(
            Duration::ZERO,
            Duration::from_secs(3600),
            Duration::from_secs(5),
        )
        .start(&TelemetryConfig { enabled: true });
    let sessions = || running.get_json("/v1/sessions")["sessions"].clone();
    assert!(
        wait_for(Duration::from_secs(10), || sessions()[0]["sessions"] == 1),
        "{}",
        sessions()
    );
    let tier = running.get_json("/v1/aggregates?field=tier");
    assert_eq!(tier["counts"][0]["key"], "memory");
    assert_eq!(tier["counts"][0]["count"], 1);
    let buckets = running.get_json("/v1/aggregates?field=resource_bucket");
    assert_eq!(buckets["counts"][0]["key"], "1K-5K");
    let (status, page) = running.get("/");
    assert_eq!(status, 200);
    assert!(
        page.contains("<svg") && page.contains("tier"),
        "the dashboard shows it"
    );
}

#[test]
fn the_demo_reporter_sends_to_a_running_receiver() {
    on_both_engines!("end-to-end", demo_reports_to);
}

#[test]
fn postgres_unreachable_is_503_and_ingest_resumes_by_itself() {
    let Some(url) = common::postgres_database("outage") else {
        return;
    };
    let relay = Relay::start();
    let through_relay = url.replace("127.0.0.1:5432", &format!("127.0.0.1:{}", relay.port));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store = runtime
        .block_on(PostgresStore::connect(&through_relay))
        .unwrap();
    // Counted straight from the server, not through the relay.
    let database = common::Database::Postgres(url.clone());
    let running = common::serve(runtime, database, || store);
    assert_eq!(running.post(&report("before")).0, 202);

    relay.set_up(false);
    for i in 0..3 {
        let (status, answer) = running.post(&report(&format!("during{i}")));
        assert_eq!(status, 503, "{answer}");
    }
    // The process stays up: what needs no database is answered as usual,
    // and reading aggregates is 503 too.
    assert_eq!(running.get("/v1/aggregates?field=nope").0, 404);
    assert_eq!(running.get("/v1/aggregates?field=tier").0, 503);
    assert_eq!(
        running.get("/readyz").0,
        503,
        "not ready without its database"
    );
    assert_eq!(running.get("/healthz").0, 200, "but alive");

    relay.set_up(true);
    assert!(
        wait_for(Duration::from_secs(10), || running.post(&report("after")).0
            == 202),
        "ingest did not resume"
    );
    assert_eq!(running.raw_count(), 2, "nothing of the outage was stored");
}
