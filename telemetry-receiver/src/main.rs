//! The `telemetry-receiver` binary: its command line, and the server it
//! starts. `telemetry-receiver --help` lists the flags, their defaults and
//! the environment variable each can be read from (a flag on the command
//! line wins over its variable).
//!
//! Exit status: 0 after `--help`, `--version` or a shutdown on SIGTERM or
//! SIGINT (in-flight reports finished, within `--shutdown-grace-secs`); 2 on a
//! usage error (an unknown flag, a missing `--schema`, a value that does
//! not parse), with the usage on stderr; 1 when the receiver cannot run
//! (the schema file cannot be read, the database cannot be opened, the
//! address cannot be bound), with the reason on stderr.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use telemetry_receiver::clock::SystemClock;
use telemetry_receiver::dashboard::public::DEFAULT_K;
use telemetry_receiver::edge::{self, Limits};
use telemetry_receiver::receiver;
use telemetry_receiver::schema::Schemas;
use telemetry_receiver::server::public_router;
use telemetry_receiver::store::postgres::PostgresStore;
use telemetry_receiver::store::sqlite::SqliteStore;
use telemetry_receiver::store::Store;
use telemetry_receiver::{maintain, server::router, Receiver};

/// See the dependency's comment in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where reports are stored when `--db` is not given.
const DEFAULT_DB: &str = "sqlite://reports.db";
/// The address served when `--listen` is not given.
const DEFAULT_LISTEN: &str = "127.0.0.1:9090";
/// How often the retention job runs when `--maintenance-every-secs` is not
/// given: hourly.
const DEFAULT_MAINTENANCE_EVERY_SECS: u64 = 3600;

/// Receives telemetry-core reports: validates them against the recorded
/// schemas, counts each session once per UTC day, keeps raw reports for a
/// bounded time and per-day aggregates forever, and serves a dashboard.
#[derive(Debug, Parser)]
#[command(
    name = "telemetry-receiver",
    version,
    after_help = "Logs go to stderr; RUST_LOG sets their filter (default: info). \
                  The first line on stdout is `listening on http://<address>`. \
                  SIGTERM or SIGINT shuts down gracefully."
)]
struct Args {
    /// The payload's JSON Schema, as bless writes it
    /// (`docs/<Payload>.schema.json`): every recorded version.
    #[arg(long, value_name = "FILE", env = "TELEMETRY_RECEIVER_SCHEMA")]
    schema: PathBuf,

    /// The store: `sqlite://<file>` (created if missing) or
    /// `postgres://user@host/db` (`postgresql://` too).
    #[arg(
        long,
        value_name = "URL",
        env = "TELEMETRY_RECEIVER_DB",
        // A PostgreSQL URL may carry a password: --help never shows it.
        hide_env_values = true,
        default_value = DEFAULT_DB,
        value_parser = parse_db,
    )]
    db: Db,

    /// The address to serve on; port 0 picks a free one (see stdout).
    #[arg(
        long,
        value_name = "ADDR",
        env = "TELEMETRY_RECEIVER_LISTEN",
        default_value = DEFAULT_LISTEN
    )]
    listen: SocketAddr,

    /// Days raw reports are kept before the retention job deletes them
    /// (aggregates are kept forever). At most what the schema file
    /// promises (`x-raw-retention-days`): a longer retention is refused.
    /// [default: the schema file's x-raw-retention-days, else 90]
    #[arg(
        long,
        value_name = "DAYS",
        env = "TELEMETRY_RECEIVER_RAW_RETENTION_DAYS",
        value_parser = above_zero::<i64>,
    )]
    raw_retention_days: Option<i64>,

    /// Seconds between two runs of the retention job.
    #[arg(
        long,
        value_name = "SECS",
        env = "TELEMETRY_RECEIVER_MAINTENANCE_EVERY_SECS",
        default_value_t = DEFAULT_MAINTENANCE_EVERY_SECS,
        value_parser = above_zero::<u64>,
    )]
    maintenance_every_secs: u64,

    /// PostgreSQL: group-commit batches committed at once, 1 to 4. One
    /// makes the biggest batches and the fewest commits; more can pay when
    /// the database is far away (see docs/performance.md).
    #[arg(
        long,
        value_name = "N",
        env = "TELEMETRY_RECEIVER_DB_WRITERS",
        default_value_t = telemetry_receiver::store::postgres::DEFAULT_WRITERS,
        value_parser = clap::value_parser!(u8).range(1..=4),
    )]
    db_writers: u8,

    /// Threads of the runtime that serves the requests and talks to the
    /// database (by default one per CPU core). Receivers that share a
    /// small machine with each other or with their database do better
    /// with fewer: see the README's "When one machine is not enough".
    #[arg(
        long,
        value_name = "N",
        env = "TELEMETRY_RECEIVER_THREADS",
        value_parser = above_zero::<usize>,
    )]
    threads: Option<usize>,

    /// Logs as human-readable text or as JSON lines (for log collectors).
    #[arg(
        long,
        value_name = "FORMAT",
        env = "TELEMETRY_RECEIVER_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,

    /// Seconds a request's headers may take to arrive; a half-sent request
    /// (or an idle keep-alive connection) is closed after it.
    #[arg(
        long,
        value_name = "SECS",
        env = "TELEMETRY_RECEIVER_HEADER_TIMEOUT_SECS",
        default_value_t = edge::HEADER_TIMEOUT_SECS,
        value_parser = above_zero::<u64>,
    )]
    header_timeout_secs: u64,

    /// The largest total size of a request's line and headers; past it the
    /// answer is 431.
    #[arg(
        long,
        value_name = "BYTES",
        env = "TELEMETRY_RECEIVER_MAX_HEADER_BYTES",
        default_value_t = edge::MAX_HEADER_BYTES,
        value_parser = above_zero::<usize>,
    )]
    max_header_bytes: usize,

    /// Connections served at once; past it new connections wait in the
    /// kernel's listen backlog until one closes.
    #[arg(
        long,
        value_name = "N",
        env = "TELEMETRY_RECEIVER_MAX_CONNECTIONS",
        default_value_t = edge::MAX_CONNECTIONS,
        value_parser = above_zero::<usize>,
    )]
    max_connections: usize,

    /// Seconds the reports in flight get to finish on SIGTERM or SIGINT.
    #[arg(
        long,
        value_name = "SECS",
        env = "TELEMETRY_RECEIVER_SHUTDOWN_GRACE_SECS",
        default_value_t = edge::SHUTDOWN_GRACE_SECS,
        value_parser = above_zero::<u64>,
    )]
    shutdown_grace_secs: u64,

    /// A second address serving the public, read-only view: the
    /// dashboard, the aggregates API and the exports with k-anonymity
    /// (see --public-k), and no `POST /v1/report`. Not served if unset.
    #[arg(long, value_name = "ADDR", env = "TELEMETRY_RECEIVER_PUBLIC_LISTEN")]
    public_listen: Option<SocketAddr>,

    /// On the public address, a value that fewer than K sessions sent on
    /// any one day of the window is shown only inside `(other)`.
    #[arg(
        long,
        value_name = "K",
        env = "TELEMETRY_RECEIVER_PUBLIC_K",
        default_value_t = DEFAULT_K,
        value_parser = above_zero::<u32>,
    )]
    public_k: u32,
}

/// How the logs are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// A parsed `--db`.
#[derive(Clone, Debug)]
enum Db {
    Sqlite(PathBuf),
    /// The whole URL, `postgres://` or `postgresql://` included.
    Postgres(String),
}

fn parse_db(text: &str) -> Result<Db, String> {
    if let Some(path) = text.strip_prefix("sqlite://") {
        Ok(Db::Sqlite(PathBuf::from(path)))
    } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
        Ok(Db::Postgres(text.to_owned()))
    } else {
        Err("use sqlite://<file> or postgres://<url>".to_owned())
    }
}

/// A whole number above 0, for the counts of days and seconds.
fn above_zero<T: std::str::FromStr + PartialOrd + From<u8>>(text: &str) -> Result<T, String> {
    text.parse()
        .ok()
        .filter(|n| *n > T::from(0))
        .ok_or_else(|| "a whole number above 0".to_owned())
}

fn main() -> ExitCode {
    // Exits 0 after --help and --version (on stdout), 2 on a usage error.
    let args = Args::parse();
    init_logs(args.log_format);
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.threads {
        runtime.worker_threads(threads);
    }
    let runtime = match runtime.enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return fail(&format!("cannot start the runtime: {err}")),
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&err),
    }
}

fn fail(err: &str) -> ExitCode {
    eprintln!("telemetry-receiver: {err}");
    ExitCode::FAILURE
}

fn init_logs(format: LogFormat) {
    use std::io::IsTerminal;
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs
            .with_ansi(!no_color && std::io::stderr().is_terminal())
            .init(),
    }
}

async fn run(args: Args) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.schema)
        .map_err(|e| format!("cannot read the schema {}: {e}", args.schema.display()))?;
    let schemas = Schemas::parse(&text).map_err(|e| format!("{}: {e}", args.schema.display()))?;
    // Checked before the database is opened: nothing starts on a
    // retention the page does not promise.
    let raw_retention_days =
        telemetry_receiver::raw_retention_days(args.raw_retention_days, schemas.raw_retention_days)
            .map_err(|e| format!("{}: {e}", args.schema.display()))?;
    match &args.db {
        Db::Sqlite(path) => {
            let store =
                SqliteStore::open(path).map_err(|e| format!("cannot open the database: {e}"))?;
            serve(args, schemas, store, raw_retention_days).await
        }
        Db::Postgres(url) => {
            // The URL may hold a password: the message leaves it out.
            let store = PostgresStore::connect(url)
                .await
                .map_err(|e| format!("cannot open the database: {e}"))?
                .with_writers(usize::from(args.db_writers));
            serve(args, schemas, store, raw_retention_days).await
        }
    }
}

async fn serve<S: Store>(
    args: Args,
    schemas: Schemas,
    store: S,
    raw_retention_days: i64,
) -> Result<(), String> {
    let receiver = receiver(schemas, store, Arc::new(SystemClock), raw_retention_days);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // Bound before anything is printed: a bad --public-listen stops the
    // start, as a bad --listen does.
    let public_listener = match args.public_listen {
        Some(public) => Some(
            tokio::net::TcpListener::bind(public)
                .await
                .map_err(|e| format!("cannot listen on {public} (--public-listen): {e}"))?,
        ),
        None => None,
    };
    tokio::spawn(maintenance(
        Arc::clone(&receiver),
        Duration::from_secs(args.maintenance_every_secs),
    ));
    #[cfg(unix)]
    tokio::spawn(reload_on_sighup(Arc::clone(&receiver), args.schema.clone()));
    tracing::info!(
        "receiving {} (schema_version {}) on http://{addr}; raw reports kept {} days; {} runtime threads",
        receiver.schemas.title,
        receiver
            .schemas
            .versions
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        raw_retention_days,
        tokio::runtime::Handle::current().metrics().num_workers()
    );
    // Tests and scripts read the bound address (the port may be ephemeral).
    println!("listening on http://{addr}");
    let limits = Limits {
        header_timeout: Duration::from_secs(args.header_timeout_secs),
        max_header_bytes: args.max_header_bytes,
        max_connections: args.max_connections,
        shutdown_grace: Duration::from_secs(args.shutdown_grace_secs),
    };
    if let Some(listener) = public_listener {
        let public = listener.local_addr().map_err(|e| e.to_string())?;
        tracing::info!(
            "public view on http://{public}: values seen by fewer than {} sessions shown as (other)",
            args.public_k
        );
        println!("public view on http://{public}");
        let app = public_router(Arc::clone(&receiver), args.public_k);
        // Under the same bounds; it stops with the process, after the
        // reports in flight on the main address are answered.
        tokio::spawn(edge::serve(
            listener,
            app,
            limits.clone(),
            std::future::pending::<()>(),
        ));
    }
    let store_of = Arc::clone(&receiver);
    let shutdown = edge::serve(listener, router(receiver), limits, stop_signal()).await;
    // What the last batches left pending is added now, rather than by the
    // next receiver that settles.
    if let Err(err) = store_of.store.settle().await {
        tracing::warn!("pending aggregates left for the next receiver to fold: {err}");
    }
    match shutdown {
        edge::Shutdown::Clean => tracing::info!("stopped; every report in flight was answered"),
        edge::Shutdown::GaveUp => tracing::warn!(
            "stopped after {} s with requests still running; their reports were not acknowledged",
            args.shutdown_grace_secs
        ),
    }
    Ok(())
}

/// Completes on SIGTERM (what systemd, docker and Kubernetes send) or
/// SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!("{name}: stopping, finishing the reports in flight");
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("interrupted: stopping, finishing the reports in flight");
}

/// Re-reads the schema file on each SIGHUP: a new recorded version is
/// accepted without a restart. A file that cannot be read or parsed keeps
/// the schemas in force, and the log says why.
#[cfg(unix)]
async fn reload_on_sighup<S: Store>(receiver: Arc<Receiver<S>>, path: PathBuf) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(hangups) => hangups,
        Err(err) => {
            tracing::warn!("no schema reload on SIGHUP: {err}");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        let read = std::fs::read_to_string(&path).map_err(|e| e.to_string());
        match read.and_then(|text| Schemas::parse(&text)) {
            Ok(schemas) => {
                let versions: Vec<&str> = schemas.versions.keys().map(String::as_str).collect();
                tracing::info!(
                    "SIGHUP: reloaded {}: schema_version {}",
                    path.display(),
                    versions.join(", ")
                );
                receiver.reload_schemas(schemas);
            }
            Err(why) => tracing::warn!(
                "SIGHUP: kept the schemas in force, {} cannot be used: {why}",
                path.display()
            ),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
