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
//! - [`dashboard`]: the page at `GET /` and the exports, read from the
//!   store ([`dashboard::read`]), filtered for the public view
//!   ([`dashboard::k_anonymous`]), then drawn from that data alone
//!   ([`dashboard::render`], [`dashboard::export`]).
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

/// Days raw reports are kept when neither the command line nor the schema
/// file (`x-raw-retention-days`) says.
pub const RAW_RETENTION_DAYS: i64 = 90;

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
