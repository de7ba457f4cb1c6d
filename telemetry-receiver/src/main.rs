//! `telemetry-receiver --schema docs/Report.schema.json [--db sqlite://reports.db | --db postgres://user@host/db]
//! [--listen 127.0.0.1:9090] [--raw-retention-days 90] [--maintenance-every-secs 3600]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use telemetry_receiver::clock::SystemClock;
use telemetry_receiver::schema::Schemas;
use telemetry_receiver::store::postgres::PostgresStore;
use telemetry_receiver::store::sqlite::SqliteStore;
use telemetry_receiver::store::Store;
use telemetry_receiver::{maintain, server::router, Receiver};
use telemetry_receiver::{receiver, RAW_RETENTION_DAYS};

const USAGE: &str = "usage: telemetry-receiver --schema <Payload>.schema.json [--db sqlite://reports.db | postgres://user@host/db] \
[--listen 127.0.0.1:9090] [--raw-retention-days 90] [--maintenance-every-secs 3600]";

struct Args {
    schema: PathBuf,
    db: String,
    listen: SocketAddr,
    raw_retention_days: i64,
    maintenance_every: Duration,
}

fn parse_args() -> Result<Args, String> {
    let mut schema = None;
    let mut args = Args {
        schema: PathBuf::new(),
        db: "sqlite://reports.db".to_owned(),
        listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
        raw_retention_days: RAW_RETENTION_DAYS,
        maintenance_every: Duration::from_secs(3600),
    };
    let mut iter = std::env::args().skip(1);
    while let Some(arg) = iter.next() {
        let mut value = || iter.next().ok_or(format!("{arg} needs a value; {USAGE}"));
        match arg.as_str() {
            "--schema" => schema = Some(PathBuf::from(value()?)),
            "--db" => args.db = value()?,
            "--listen" => {
                let text = value()?;
                args.listen = text.parse().map_err(|e| format!("--listen {text}: {e}"))?;
            }
            "--raw-retention-days" => {
                let text = value()?;
                args.raw_retention_days = text.parse().ok().filter(|days| *days > 0).ok_or(
                    format!("--raw-retention-days {text}: a number of days above 0"),
                )?;
            }
            "--maintenance-every-secs" => {
                let text = value()?;
                let secs: u64 = text
                    .parse()
                    .ok()
                    .filter(|secs| *secs > 0)
                    .ok_or(format!("--maintenance-every-secs {text}: seconds above 0"))?;
                args.maintenance_every = Duration::from_secs(secs);
            }
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}; {USAGE}")),
        }
    }
    args.schema = schema.ok_or(format!("--schema is required; {USAGE}"))?;
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(!no_color && std::io::stderr().is_terminal())
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("telemetry-receiver: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let text = std::fs::read_to_string(&args.schema)
        .map_err(|e| format!("{}: {e}", args.schema.display()))?;
    let schemas = Schemas::parse(&text).map_err(|e| format!("{}: {e}", args.schema.display()))?;
    if let Some(path) = args.db.strip_prefix("sqlite://") {
        let store = SqliteStore::open(std::path::Path::new(path)).map_err(|e| e.to_string())?;
        serve(args, schemas, store).await
    } else if args.db.starts_with("postgres://") || args.db.starts_with("postgresql://") {
        let store = PostgresStore::connect(&args.db)
            .await
            .map_err(|e| e.to_string())?;
        serve(args, schemas, store).await
    } else {
        Err(format!(
            "--db {}: use sqlite://<file> or postgres://<url>",
            args.db
        ))
    }
}

async fn serve<S: Store>(args: Args, schemas: Schemas, store: S) -> Result<(), String> {
    let receiver = receiver(
        schemas,
        store,
        Arc::new(SystemClock),
        args.raw_retention_days,
    );
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(maintenance(Arc::clone(&receiver), args.maintenance_every));
    tracing::info!(
        "receiving {} (schema_version {}) on http://{addr}; raw reports kept {} days",
        receiver.schemas.title,
        receiver
            .schemas
            .versions
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        args.raw_retention_days
    );
    // Tests and scripts read the bound address (the port may be ephemeral).
    println!("listening on http://{addr}");
    axum::serve(listener, router(receiver))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server: {e}"))
}

async fn maintenance<S: Store>(receiver: Arc<Receiver<S>>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    loop {
        ticks.tick().await;
        if let Err(err) = maintain(&receiver).await {
            tracing::warn!("retention job failed, will run again: {err}");
        }
    }
}
