//! The KubeAtlas demo server: a real user of telemetry-core. It serves the
//! telemetry preview and Prometheus metrics, and sends its report once a day
//! when `[telemetry] enabled = true`.

pub mod config;
pub mod payload;

use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
use telemetry_core::Preview;

use payload::KubeAtlasReport;

/// The metric prefix and name of the application.
pub const APP: &str = "kubeatlas";

/// The HTTP API: the telemetry preview, `/metrics`, and a short index.
pub fn router(preview: Preview<KubeAtlasReport>, metrics: PrometheusHandle) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { "KubeAtlas demo: see /api/v1/telemetry/preview and /metrics\n" }),
        )
        .route(
            "/metrics",
            get(move || std::future::ready(metrics.render())),
        )
        .merge(telemetry_core::axum::preview_router(preview))
}
