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
//!   - [`store::sql`]: every statement the engines share, and the
//!     migrations;
//!   - [`store::sqlite`] and [`store::postgres`], which run them (the
//!     latter's private `connections` module takes and remakes its
//!     connections).
//! - this root: [`Receiver`], what the handlers share, and [`maintain`],
//!   the retention job.
//! - [`dashboard`]: the page at `GET /`, read from the store
//!   ([`dashboard::query`]) then drawn from that data alone
//!   ([`dashboard::render`]).
//! - [`error`]: [`error::ApiError`], a refusal as the client sees it.
//! - [`server`]: the HTTP endpoints.
//!
//! The binary (`main.rs`) sits on top: it opens a store and serves
//! [`server::router`], running [`maintain`] on a timer.

#![forbid(unsafe_code)]

pub mod aggregate;
pub mod clock;
pub mod dashboard;
pub mod error;
pub mod schema;
pub mod server;
pub mod store;

use std::sync::Arc;

use time::Duration;

use clock::Clock;
use schema::{FieldKind, Schemas};
use store::{Store, StoreError};

/// Days raw reports are kept by default.
pub const RAW_RETENTION_DAYS: i64 = 90;

/// What the handlers and the retention job share.
pub struct Receiver<S> {
    pub schemas: Schemas,
    pub store: S,
    pub clock: Arc<dyn Clock>,
    pub raw_retention_days: i64,
}

/// A receiver over `store`, ready for [`server::router`].
pub fn receiver<S: Store>(
    schemas: Schemas,
    store: S,
    clock: Arc<dyn Clock>,
    raw_retention_days: i64,
) -> Arc<Receiver<S>> {
    Arc::new(Receiver {
        schemas,
        store,
        clock,
        raw_retention_days,
    })
}

/// The periodic job: deletes raw reports older than the retention, and
/// folds past days' rare string values into `(other)`.
pub async fn maintain<S: Store>(receiver: &Receiver<S>) -> Result<(), StoreError> {
    let today = receiver.clock.today();
    receiver
        .store
        .delete_raw_before(today - Duration::days(receiver.raw_retention_days))
        .await?;
    let free_form: Vec<String> = receiver
        .schemas
        .fields
        .iter()
        .filter(|(_, kind)| matches!(kind, FieldKind::Value { free_form: true }))
        .map(|(path, _)| path.clone())
        .collect();
    let rows = receiver
        .store
        .value_counts_before(today, &free_form)
        .await?;
    let folds = store::folds(rows);
    if !folds.is_empty() {
        receiver.store.fold(folds).await?;
    }
    Ok(())
}
