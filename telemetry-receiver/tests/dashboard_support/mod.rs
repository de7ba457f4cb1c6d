//! A receiver on a schema file the test writes (with a why-text on every
//! field and a retention at its root, as bless writes them), serving the
//! full router on one loopback port and the public view on another.

#![allow(dead_code)] // Each test binary uses a different part.

use std::sync::Arc;

use serde_json::Value;
use telemetry_receiver::clock::ManualClock;
use telemetry_receiver::schema::Schemas;
use telemetry_receiver::server::{public_router, router};
use telemetry_receiver::store::postgres::PostgresStore;
use telemetry_receiver::store::sqlite::SqliteStore;
use telemetry_receiver::store::Store;

use crate::common::{self, Database, Running, NOON};

/// The demo's schema file.
pub const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/KubeAtlasReport.schema.json"
);
/// The nested example's schema file.
pub const NESTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../examples/vectordb-report/docs/NodeReport.schema.json"
);

/// The why-text the annotated schema gives `path`.
pub fn why(path: &str) -> String {
    format!("Collected to learn about {path}, so the page can answer it.")
}

/// `file`'s text with a `description` on every property at every depth
/// (`why(path)`) and `x-raw-retention-days` at the root.
pub fn annotated(file: &str, retention_days: i64) -> String {
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    for entry in schema["oneOf"].as_array_mut().unwrap() {
        describe(&mut entry["properties"], "");
    }
    schema["x-raw-retention-days"] = retention_days.into();
    serde_json::to_string_pretty(&schema).unwrap()
}

fn describe(properties: &mut Value, prefix: &str) {
    let Some(properties) = properties.as_object_mut() else {
        return;
    };
    for (name, schema) in properties {
        let path = format!("{prefix}{name}");
        schema["description"] = why(&path).into();
        let inner = match schema.get("anyOf").is_some() {
            true => &mut schema["anyOf"][0],
            false => schema,
        };
        if inner.get("properties").is_some() {
            describe(&mut inner["properties"], &format!("{path}."));
        } else if inner["type"] == "array" {
            let items = match inner["items"].get("anyOf").is_some() {
                true => &mut inner["items"]["anyOf"][0],
                false => &mut inner["items"],
            };
            // `get_mut`: indexing would insert a `properties: null`.
            if let Some(properties) = items.get_mut("properties") {
                describe(properties, &format!("{path}[]."));
            }
        }
    }
}

/// A receiver and the base URL of its public view.
pub struct Served<S: Store> {
    pub running: Running<S>,
    pub public: String,
}

impl<S: Store> Served<S> {
    /// The schema's field paths, each of which has a view.
    #[allow(dead_code)]
    pub fn field_names(&self) -> Vec<String> {
        let schemas = self.running.receiver.current_schemas();
        schemas.fields.keys().cloned().collect()
    }

    /// GETs `path` from the public view: status and body.
    pub fn public_get(&self, path: &str) -> (u16, String) {
        get(&format!("{}{path}", self.public))
    }
}

pub fn get(url: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).call().unwrap();
    let status = response.status().as_u16();
    // As bytes: ureq's `read_to_string` passes a `text/*` body (the CSV)
    // through a lossy UTF-8 reader a few bytes at a time, which took the
    // benchmark longer than the server took to send it.
    let body = response.body_mut().read_to_vec().unwrap_or_default();
    (status, String::from_utf8(body).expect("UTF-8"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn serve<S: Store>(
    runtime: tokio::runtime::Runtime,
    database: Database,
    store: S,
    schema: &str,
    k: u32,
) -> Served<S> {
    let schemas = Schemas::parse(schema).unwrap();
    let clock = ManualClock::at(NOON);
    let retention = schemas.raw_retention_days.unwrap_or(90);
    let receiver = runtime.block_on(async {
        telemetry_receiver::receiver(schemas, store, Arc::new(clock.clone()), retention)
    });
    let bind = || {
        runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap()
    };
    let (private, public) = (bind(), bind());
    let base = format!("http://{}", private.local_addr().unwrap());
    let public_base = format!("http://{}", public.local_addr().unwrap());
    let (app, public_app) = (
        router(Arc::clone(&receiver)),
        public_router(Arc::clone(&receiver), k),
    );
    runtime.spawn(async move { axum::serve(private, app).await });
    runtime.spawn(async move { axum::serve(public, public_app).await });
    Served {
        running: Running {
            base,
            clock,
            receiver,
            database,
            runtime,
        },
        public: public_base,
    }
}

/// On a fresh SQLite file; `before` runs on the migrated file first.
pub fn sqlite(
    name: &str,
    schema: &str,
    k: u32,
    before: impl FnOnce(&std::path::Path),
) -> Served<SqliteStore> {
    let path = common::sqlite_path(name);
    let store = SqliteStore::open(&path).unwrap();
    before(&path);
    serve(runtime(), Database::Sqlite(path), store, schema, k)
}

/// On a fresh PostgreSQL database, if there is a server; `before` gets
/// the migrated database's URL.
pub fn postgres(
    name: &str,
    schema: &str,
    k: u32,
    before: impl FnOnce(&tokio::runtime::Runtime, &str),
) -> Option<Served<PostgresStore>> {
    let url = common::postgres_database(name)?;
    let runtime = runtime();
    let store = runtime.block_on(PostgresStore::connect(&url)).unwrap();
    before(&runtime, &url);
    Some(serve(runtime, Database::Postgres(url), store, schema, k))
}
