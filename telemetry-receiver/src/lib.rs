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

#![forbid(unsafe_code)]

pub mod aggregate;
pub mod clock;
pub mod dashboard;
pub mod schema;
pub mod server;
pub mod store;

use std::sync::Arc;

use clock::Clock;
use schema::Schemas;
use server::Receiver;
use store::Store;

/// Days raw reports are kept by default.
pub const RAW_RETENTION_DAYS: i64 = 90;

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
