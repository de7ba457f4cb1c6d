//! The receiving end of telemetry-core reports, keeping the promises a
//! telemetry page makes about the receiver: every report is validated
//! against the recorded schemas (`<Payload>.schema.json`, as bless writes
//! it), stored durably before it is acknowledged, counted once per session
//! and UTC day (by `session_nonce`), never stored or logged with the
//! sender's address or headers, and kept raw for 90 days while per-day
//! aggregates derived from the schema stay.
//!
//! Storage is SQLite by default ([`store::sqlite`]) or PostgreSQL
//! ([`store::postgres`]), behind [`store::Store`].
//!
//! # Layout
//!
//! In flow order; a module uses only the modules above it, so no two
//! import each other, directly or through others:
//!
//! - [`clock`]: the time, through a clock the tests can move.
//! - [`schema`]: the recorded schemas, their validators and aggregated
//!   fields.
//! - [`aggregate`]: what one report adds to the aggregates, as data.
//! - [`store`]: the [`Store`] trait and its rows, then
//!   - [`store::batch`]: what a group-commit batch adds, summed per row;
//!   - [`store::sql`]: every statement the engines share, and the
//!     migrations;
//!   - [`store::sqlite`] and [`store::postgres`], which run them (the
//!     latter's private `connections` module takes and remakes its
//!     connections and claims their shards, its `ingest` module stores a
//!     batch).
//! - [`monitoring`]: the metrics' names and recorder, `GET /healthz`,
//!   `/readyz` and `/metrics`.
//! - [`commit`]: group commit, the queue and writers in front of the
//!   store.
//! - this root: [`Receiver`], what the handlers share, and [`maintain`],
//!   the retention job.
//! - [`dashboard`]: the page at `GET /` and the exports, read from the
//!   store ([`dashboard::read`]), filtered for the public view
//!   ([`dashboard::k_anonymous`]), then drawn from that data alone
//!   ([`dashboard::render`], [`dashboard::export`]).
//! - [`error`]: [`error::ApiError`], a refusal as the client sees it.
//! - [`json`]: reading a report's JSON, refusing duplicate keys.
//! - [`server`]: the HTTP endpoints.
//! - [`edge`]: the HTTP connections: timeouts, size and connection
//!   bounds, graceful shutdown.
//!
//! The binary (`main.rs`) sits on top: it opens a store and serves
//! [`server::router`], running [`maintain`] on a timer.

#![forbid(unsafe_code)]

pub mod aggregate;
pub mod clock;
pub mod commit;
pub mod dashboard;
pub mod edge;
pub mod error;
pub mod json;
pub mod monitoring;
pub mod schema;
pub mod server;
pub mod store;

use std::ops::Deref;
use std::sync::{Arc, OnceLock, RwLock};

use time::{Date, Duration};

use aggregate::{DAY_CAP, SUM, TOP_VALUES, VALUE};
use clock::Clock;
use commit::GroupCommit;
use schema::{FieldKind, Schemas};
use store::{Ingest, Outcome, Store, StoreError};

/// Days raw reports are kept when neither the command line nor the schema
/// file (`x-raw-retention-days`) says.
pub const RAW_RETENTION_DAYS: i64 = 90;

/// Days of storage made ready ahead, today included (PostgreSQL's day
/// partitions): the maintenance job runs hourly, so a new day's
/// partitions exist long before its first report.
pub const DAYS_AHEAD: i64 = 3;

/// The raw retention to run with: the one asked for (`--raw-retention-days`),
/// else the one the schema file promises, else [`RAW_RETENTION_DAYS`]. Asking
/// for longer than the schema file promises is refused: the page tells
/// senders their raw reports are deleted after that many days. Shorter is
/// fine.
pub fn raw_retention_days(asked: Option<i64>, promised: Option<i64>) -> Result<i64, String> {
    match (asked, promised) {
        (Some(asked), Some(promised)) if asked > promised => Err(format!(
            "--raw-retention-days {asked} keeps raw reports longer than the schema file \
             promises (x-raw-retention-days: {promised}); use {promised} or fewer, or change \
             the payload's raw_retention_days and bless"
        )),
        (Some(asked), _) => Ok(asked),
        (None, Some(promised)) => Ok(promised),
        (None, None) => Ok(RAW_RETENTION_DAYS),
    }
}

/// What the handlers and the retention job share.
pub struct Receiver<S> {
    /// The schemas the receiver started with. Reports are validated
    /// against [`Receiver::current_schemas`], which a reload replaces.
    pub schemas: Schemas,
    /// The schemas of the last reload (`SIGHUP`), if there was one.
    reloaded: RwLock<Option<Arc<Schemas>>>,
    pub store: S,
    pub clock: Arc<dyn Clock>,
    pub raw_retention_days: i64,
    /// Group commit, started with the first report (on its runtime).
    commits: OnceLock<GroupCommit>,
    /// The counts of past days the dashboard has read.
    pub past_days: store::past_days::PastDays,
}

/// The schemas in force: those at start, or those of the last reload.
pub enum CurrentSchemas<'r> {
    AtStart(&'r Schemas),
    Reloaded(Arc<Schemas>),
}

impl Deref for CurrentSchemas<'_> {
    type Target = Schemas;

    fn deref(&self) -> &Schemas {
        match self {
            CurrentSchemas::AtStart(schemas) => schemas,
            CurrentSchemas::Reloaded(schemas) => schemas,
        }
    }
}

impl<S> Receiver<S> {
    /// The schemas reports are validated against now.
    pub fn current_schemas(&self) -> CurrentSchemas<'_> {
        let reloaded = self.reloaded.read().unwrap_or_else(|e| e.into_inner());
        match reloaded.as_ref() {
            Some(schemas) => CurrentSchemas::Reloaded(Arc::clone(schemas)),
            None => CurrentSchemas::AtStart(&self.schemas),
        }
    }

    /// Replaces the schemas in force (a reload of the schema file): the
    /// reports arriving from now on are validated against `schemas`.
    pub fn reload_schemas(&self, schemas: Schemas) {
        let mut reloaded = self.reloaded.write().unwrap_or_else(|e| e.into_inner());
        *reloaded = Some(Arc::new(schemas));
    }
}

impl<S: Store> Receiver<S> {
    /// Stores a report through group commit: answers once the batch it
    /// joined has committed.
    pub async fn store_report(self: &Arc<Self>, ingest: Ingest) -> Result<Outcome, StoreError> {
        let commits = self.commits.get_or_init(|| {
            let receiver = Arc::clone(self);
            GroupCommit::start(
                self.store.writers(),
                self.store.linger(),
                Arc::new(move |batch| {
                    let receiver = Arc::clone(&receiver);
                    Box::pin(async move { receiver.store.ingest_batch(batch).await })
                }),
            )
        });
        commits.submit(ingest).await
    }
}

/// Settles the store every [`store::SETTLE_EVERY`] (see [`Store::settle`])
/// while the receiver lives: whatever reads the aggregate tables without
/// asking a receiver finds them at most about that far behind the
/// acknowledged reports.
async fn settle_every<S: Store>(receiver: std::sync::Weak<Receiver<S>>) {
    let mut ticks = tokio::time::interval(store::SETTLE_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(receiver) = receiver.upgrade() else {
            return;
        };
        match receiver.store.settle().await {
            Ok(folded) => monitoring::values_folded(folded),
            Err(err) => tracing::warn!("folding pending aggregates failed, will try again: {err}"),
        }
    }
}

/// A receiver over `store`, ready for [`server::router`]. Made on a
/// runtime, it settles its store ([`Store::settle`]) every
/// [`store::SETTLE_EVERY`] from then on.
pub fn receiver<S: Store>(
    schemas: Schemas,
    store: S,
    clock: Arc<dyn Clock>,
    raw_retention_days: i64,
) -> Arc<Receiver<S>> {
    let receiver = Arc::new(Receiver {
        schemas,
        reloaded: RwLock::new(None),
        store,
        clock,
        raw_retention_days,
        commits: OnceLock::new(),
        past_days: store::past_days::PastDays::default(),
    });
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(settle_every(Arc::downgrade(&receiver)));
    }
    receiver
}

/// The periodic job: makes the next days' storage ready, deletes raw
/// reports older than the retention, folds past days' rare invented keys
/// into `(other)` (each keeps its [`TOP_VALUES`] most frequent), and trims
/// today's to [`DAY_CAP`] (concurrent writers on PostgreSQL may pass the
/// cap by what they commit at the same moment), then merges past days'
/// rows of several writers into one per key ([`Store::compact_before`]),
/// and reads again what the dashboard keeps of past days if a fold changed
/// them ([`store::past_days`]).
pub async fn maintain<S: Store>(receiver: &Receiver<S>) -> Result<(), StoreError> {
    let today = receiver.clock.today();
    let store = &receiver.store;
    store.prepare_days(today, DAYS_AHEAD).await?;
    store
        .delete_raw_before(today - Duration::days(receiver.raw_retention_days))
        .await?;
    let fields = |wanted: fn(&FieldKind) -> bool| -> Vec<String> {
        let schemas = receiver.current_schemas();
        let fields = schemas.fields.iter();
        fields
            .filter(|(_, kind)| wanted(kind))
            .map(|(path, _)| path.clone())
            .collect()
    };
    let invented = [
        (
            fields(|kind| {
                matches!(
                    kind,
                    FieldKind::Value { free_form: true } | FieldKind::Elements
                )
            }),
            VALUE,
        ),
        (fields(|kind| *kind == FieldKind::MapSum), SUM),
    ];
    let tomorrow = today + Duration::days(1);
    for (fields, kind) in invented {
        if fields.is_empty() {
            continue;
        }
        let past = store
            .counts_between(Date::MIN, today, &fields, kind)
            .await?;
        let running = store.counts_between(today, tomorrow, &fields, kind).await?;
        let mut folds = store::folds(past, TOP_VALUES);
        folds.extend(store::folds(running, DAY_CAP as usize));
        if !folds.is_empty() {
            let keys: usize = folds.iter().map(|fold| fold.keys.len()).sum();
            metrics::counter!(monitoring::FOLDED).increment(keys as u64);
            store.fold(folds).await?;
        }
    }
    store.compact_before(today).await?;
    receiver.past_days.keep_last_year(store, today).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retention_never_exceeds_what_the_schema_file_promises() {
        assert_eq!(raw_retention_days(None, None), Ok(RAW_RETENTION_DAYS));
        assert_eq!(raw_retention_days(None, Some(30)), Ok(30));
        assert_eq!(raw_retention_days(Some(7), Some(30)), Ok(7));
        assert_eq!(raw_retention_days(Some(120), None), Ok(120));
        let refused = raw_retention_days(Some(31), Some(30)).unwrap_err();
        assert!(
            refused.contains("longer than the schema file promises"),
            "{refused}"
        );
    }
}
