//! A receiver over each engine, in-process on a loopback port, with a clock
//! the tests move. Each test gets its own SQLite file and its own
//! PostgreSQL database (on the machine's server at 127.0.0.1:5432; under
//! `CI` it must be reachable, elsewhere its tests are skipped with a reason).

#![allow(dead_code)] // Each test binary uses a different part.

pub mod binary;
pub mod relay;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use telemetry_receiver::clock::ManualClock;
use telemetry_receiver::schema::Schemas;
use telemetry_receiver::server::router;
use telemetry_receiver::store::postgres::PostgresStore;
use telemetry_receiver::store::sqlite::SqliteStore;
use telemetry_receiver::store::Store;
use telemetry_receiver::{Receiver, RAW_RETENTION_DAYS};

/// 2026-11-25 12:00 UTC.
pub const NOON: i64 = 1_795_608_000;

pub fn schemas() -> Schemas {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/KubeAtlasReport.schema.json"
    ))
    .unwrap();
    Schemas::parse(&text).unwrap()
}

/// A valid KubeAtlas report of session `nonce`.
pub fn report(nonce: &str) -> Value {
    json!({
        "schema_version": "1.0",
        "kubeatlas_version": "0.1.0",
        "k8s_version": "v1.31.2",
        "os": "linux",
        "arch": "x86_64",
        "tier": "memory",
        "resource_bucket": "1K-5K",
        "enabled_packs": ["cis-benchmark", "pod-security"],
        "cluster_count": 3,
        "platform_distribution": { "eks": 2, "kind": 1 },
        "session_nonce": nonce
    })
}

/// Where a store keeps its data, for reading it as an operator would:
/// straight from the database, so the `Store` trait carries nothing only
/// the tests need.
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

/// A receiver running in its own runtime, and the clock it reads.
pub struct Running<S: Store> {
    pub base: String,
    pub clock: ManualClock,
    pub receiver: Arc<Receiver<S>>,
    pub database: Database,
    pub runtime: tokio::runtime::Runtime,
}

impl<S: Store> Running<S> {
    /// Runs `future` on the receiver's runtime.
    pub fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.runtime.block_on(future)
    }

    /// POSTs `body` as JSON; the status and the answer.
    pub fn post(&self, body: &Value) -> (u16, Value) {
        self.post_raw("application/json", body.to_string().as_bytes())
    }

    pub fn post_raw(&self, content_type: &str, body: &[u8]) -> (u16, Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent
            .post(&format!("{}/v1/report", self.base))
            .header("content-type", content_type)
            .send(body)
            .unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut response = agent.get(&format!("{}{path}", self.base)).call().unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    pub fn get_json(&self, path: &str) -> Value {
        let (status, text) = self.get(path);
        assert_eq!(status, 200, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// The retention job, now.
    pub fn maintain(&self) {
        self.block_on(telemetry_receiver::maintain(&self.receiver))
            .unwrap();
    }

    /// How many raw reports the database holds.
    pub fn raw_count(&self) -> i64 {
        const RAW_COUNT: &str = "SELECT COUNT(*) FROM raw_reports";
        match &self.database {
            Database::Sqlite(path) => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(RAW_COUNT, [], |row| row.get(0))
                .unwrap(),
            Database::Postgres(url) => self.block_on(async {
                let client = postgres_client(url).await.unwrap();
                client.query_one(RAW_COUNT, &[]).await.unwrap().get(0)
            }),
        }
    }
}

/// Serves `store`, which keeps its data in `database`, on 127.0.0.1 with a
/// clock at [`NOON`].
pub fn serve<S: Store>(
    runtime: tokio::runtime::Runtime,
    database: Database,
    store: impl FnOnce() -> S,
) -> Running<S> {
    serve_with(runtime, database, store, ManualClock::at(NOON), schemas())
}

/// [`serve`], with a clock (several receivers can share one) and schemas
/// of the caller's.
pub fn serve_with<S: Store>(
    runtime: tokio::runtime::Runtime,
    database: Database,
    store: impl FnOnce() -> S,
    clock: ManualClock,
    schemas: Schemas,
) -> Running<S> {
    let receiver = runtime.block_on(async {
        telemetry_receiver::receiver(
            schemas,
            store(),
            Arc::new(clock.clone()),
            RAW_RETENTION_DAYS,
        )
    });
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(Arc::clone(&receiver));
    let limits = telemetry_receiver::edge::Limits::default();
    runtime.spawn(telemetry_receiver::edge::serve(
        listener,
        app,
        limits,
        std::future::pending(),
    ));
    Running {
        base,
        clock,
        receiver,
        database,
        runtime,
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh SQLite file for `name`.
pub fn sqlite_path(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("receiver-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.db"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

pub fn sqlite(name: &str) -> Running<SqliteStore> {
    sqlite_with(name, schemas())
}

/// [`sqlite`] with schemas of the caller's.
pub fn sqlite_with(name: &str, schemas: Schemas) -> Running<SqliteStore> {
    let path = sqlite_path(name);
    let store = || SqliteStore::open(&path).unwrap();
    let database = Database::Sqlite(path.clone());
    serve_with(runtime(), database, store, ManualClock::at(NOON), schemas)
}

/// The server every PostgreSQL test uses.
pub const POSTGRES: &str = "postgres://postgres@127.0.0.1:5432";

/// A fresh database for `name` on the local server, or `None` (with the
/// reason printed) where there is no server outside CI.
pub fn postgres_database(name: &str) -> Option<String> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let database = format!(
        "receiver_{}_{}_{}",
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    // CREATE DATABASE copies template1 and fails while another copy runs:
    // one at a time in this process, and a few tries against others.
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    let mut created = Err(String::new());
    for _ in 0..5 {
        created = create_database(&database);
        if created.is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    match created {
        Ok(()) => Some(format!("{POSTGRES}/{database}")),
        Err(err) => {
            let why = format!("PostgreSQL at {POSTGRES} gave this test no database: {err}");
            assert!(
                std::env::var_os("CI").is_none(),
                "{why}; CI must run the PostgreSQL tests"
            );
            eprintln!("skipped the PostgreSQL part: {why}");
            None
        }
    }
}

/// A client of the PostgreSQL database at `url`, its connection driven on
/// the current runtime.
pub async fn postgres_client(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Creates `database`, after dropping those earlier runs left.
fn create_database(database: &str) -> Result<(), String> {
    let created = runtime().block_on(async {
        let client = postgres_client(&format!("{POSTGRES}/test")).await?;
        // Databases left by earlier runs (test binaries run one at a time).
        let ours = format!("\\_{}\\_%", std::process::id());
        for row in client
            .query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'receiver\\_%' AND datname NOT LIKE '%' || $1",
                &[&ours],
            )
            .await?
        {
            let stale: String = row.get(0);
            client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {stale} WITH (FORCE)"))
                .await?;
        }
        client.batch_execute(&format!("CREATE DATABASE {database}")).await
    });
    created.map_err(|err| match err.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => err.to_string(),
    })
}

pub fn postgres(name: &str) -> Option<Running<PostgresStore>> {
    postgres_with(name, schemas())
}

/// [`postgres`] with schemas of the caller's.
pub fn postgres_with(name: &str, schemas: Schemas) -> Option<Running<PostgresStore>> {
    let url = postgres_database(name)?;
    let runtime = runtime();
    let store = runtime.block_on(PostgresStore::connect(&url)).unwrap();
    let database = Database::Postgres(url);
    Some(serve_with(
        runtime,
        database,
        || store,
        ManualClock::at(NOON),
        schemas,
    ))
}

/// A receiver on an existing database at `url` (a restart).
pub fn postgres_on(url: &str) -> Running<PostgresStore> {
    let runtime = runtime();
    let store = runtime.block_on(PostgresStore::connect(url)).unwrap();
    serve(runtime, Database::Postgres(url.to_owned()), || store)
}

/// Runs `sql` on the database, as an operator would: on PostgreSQL once
/// no batch's aggregates are pending (see [`count_in`]).
pub fn execute(database: &Database, sql: &str) {
    match database {
        Database::Sqlite(path) => rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
        Database::Postgres(url) => runtime().block_on(async {
            let client = postgres_client(url).await.unwrap();
            settled(&client).await;
            client.batch_execute(sql).await.unwrap();
        }),
    }
}

/// One query's single number, straight from the database (NULL is 0).
/// On PostgreSQL, once no batch's aggregates are pending: the receivers
/// fold them every second, so the aggregate tables may trail the `202`s
/// by that much.
pub fn count_in(database: &Database, sql: &str) -> i64 {
    match database {
        Database::Sqlite(path) => rusqlite::Connection::open(path)
            .unwrap()
            .query_row(sql, [], |row| row.get::<_, Option<i64>>(0))
            .unwrap()
            .unwrap_or(0),
        Database::Postgres(url) => runtime().block_on(async {
            let client = postgres_client(url).await.unwrap();
            settled(&client).await;
            let sql = format!("SELECT ({sql})::BIGINT");
            let row = client.query_one(&sql, &[]).await.unwrap();
            row.get::<_, Option<i64>>(0).unwrap_or(0)
        }),
    }
}

/// Waits until no batch's aggregates are pending (see [`count_in`]), at
/// most 10 s: the receivers fold every second.
pub async fn settled(client: &tokio_postgres::Client) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let pending: i64 = client
            .query_one("SELECT COUNT(*) FROM agg_pending", &[])
            .await
            .unwrap()
            .get(0);
        if pending == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{pending} batches' aggregates still pending after 10 s: no receiver folds"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// POSTs raw text as JSON to `base`; the status and the answer.
pub fn post_text(base: &str, body: &str) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let Ok(mut response) = agent
        .post(&format!("{base}/v1/report"))
        .header("content-type", "application/json")
        .send(body.as_bytes())
    else {
        return (0, Value::Null); // Not reached (a receiver down).
    };
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Runs the generic fn `test` against SQLite and then PostgreSQL.
#[macro_export]
macro_rules! on_both_engines {
    ($name:literal, $test:path) => {{
        $test(common::sqlite($name));
        if let Some(running) = common::postgres($name) {
            $test(running);
        }
    }};
}
