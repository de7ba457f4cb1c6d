//! What operators watch: `GET /healthz`, `GET /readyz` and the Prometheus
//! metrics at `GET /metrics`, recorded through the `metrics` facade and
//! rendered by `metrics-exporter-prometheus`. No metric carries a sender's
//! address or a report's content: labels are fixed words.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use metrics::{counter, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::store::{Outcome, Store, Stored};
use crate::Receiver;

/// Reports stored (`202`, `"stored"`).
pub const STORED: &str = "telemetry_receiver_reports_stored_total";
/// Reports already stored today (`202`, `"duplicate"`).
pub const DUPLICATE_REPORTS: &str = "telemetry_receiver_reports_duplicate_total";
/// Reports refused, by `status` and `reason`.
pub const REFUSED: &str = "telemetry_receiver_reports_refused_total";
/// Reports not stored for a storage failure (`503`).
pub const STORAGE_FAILURES: &str = "telemetry_receiver_storage_failures_total";
/// Reports per group-commit transaction.
pub const BATCH_SIZE: &str = "telemetry_receiver_commit_batch_size";
/// Seconds a group-commit transaction took, commit included.
pub const COMMIT_SECONDS: &str = "telemetry_receiver_commit_seconds";
/// Keys counted as `(other)`: at ingest by a day's cap, or by the
/// maintenance job's folding.
pub const FOLDED: &str = "telemetry_receiver_values_folded_total";

/// The process's Prometheus recorder, installed on first use. Histograms
/// have fixed buckets, so the figures of several receivers add up.
pub fn install() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let sizes = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
            let seconds = [
                0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
            ];
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(BATCH_SIZE.to_owned()), &sizes)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full(COMMIT_SECONDS.to_owned()), &seconds)
                })
                .map(PrometheusBuilder::install_recorder);
            match built {
                Ok(Ok(handle)) => Some(handle),
                Ok(Err(err)) | Err(err) => {
                    tracing::warn!("no metrics: {err}");
                    None
                }
            }
        })
        .as_ref()
}

/// Records one group-commit batch: its size, how long it took and, when it
/// committed, what it stored.
pub fn batch_committed(size: usize, took: Duration, stored: Option<&Stored>) {
    histogram!(BATCH_SIZE).record(size as f64);
    histogram!(COMMIT_SECONDS).record(took.as_secs_f64());
    let Some(stored) = stored else {
        counter!(STORAGE_FAILURES).increment(size as u64);
        return;
    };
    let new = stored
        .outcomes
        .iter()
        .filter(|outcome| **outcome == Outcome::Stored)
        .count() as u64;
    counter!(STORED).increment(new);
    counter!(DUPLICATE_REPORTS).increment(size as u64 - new);
    counter!(FOLDED).increment(stored.folded);
}

/// Records keys the day's cap counted as `(other)` apart from a batch
/// (PostgreSQL's folds of pending aggregates, as [`Store::settle`]
/// answers them).
///
/// [`Store::settle`]: crate::store::Store::settle
pub fn values_folded(folded: u64) {
    counter!(FOLDED).increment(folded);
}

/// Records a refused report.
pub fn refused(status: StatusCode, reason: &'static str) {
    counter!(REFUSED, "status" => status.as_str().to_owned(), "reason" => reason).increment(1);
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: `200` when the database answers, else `503`.
pub async fn readyz<S: Store>(State(receiver): State<Arc<Receiver<S>>>) -> impl IntoResponse {
    match receiver.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready\n"),
        Err(err) => {
            tracing::warn!("not ready: {err}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
        }
    }
}

/// `GET /metrics`, in Prometheus' text format.
pub async fn metrics() -> impl IntoResponse {
    let text = install().map(PrometheusHandle::render).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
}
