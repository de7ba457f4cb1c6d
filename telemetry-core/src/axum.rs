//! `GET /api/v1/telemetry/preview` for axum servers.

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::{Preview, Telemetry, PREVIEW_PATH};

/// A router serving the preview at [`PREVIEW_PATH`]; merge it into the
/// server's own router.
///
/// ```
/// # use telemetry_core::{Preview, Telemetry};
/// # #[derive(Telemetry)]
/// # #[telemetry(schema_version = "1.0", docs = "docs/example.md")]
/// # pub struct Report {
/// #     /// Which versions are in use, to know where to focus fixes.
/// #     pub version: String,
/// #     /// How many installs run Tier 2, to know where to invest in persistence.
/// #     #[telemetry(values = "memory | postgres")]
/// #     pub tier: Tier,
/// #     /// Cluster counts by platform family (counts only, no names).
/// #     pub platforms: std::collections::BTreeMap<String, u32>,
/// # }
/// # #[derive(Clone, Copy, telemetry_core::TelemetryValue)]
/// # pub enum Tier { Memory, Postgres }
/// let preview = Preview::new(|| Report {
///     version: "2.4.1".into(),
///     tier: Tier::Memory,
///     platforms: Default::default(),
/// });
/// let app: axum::Router = axum::Router::new().merge(telemetry_core::axum::preview_router(preview));
/// ```
pub fn preview_router<T, S>(preview: Preview<T>) -> Router<S>
where
    T: Telemetry + 'static,
    S: Clone + Send + Sync + 'static,
{
    Router::new().route(
        PREVIEW_PATH,
        get(move || {
            let preview = preview.clone();
            async move { preview_response(&preview) }
        }),
    )
}

/// The preview as an `application/json` response: the exact bytes the next
/// report sends.
pub fn preview_response<T: Telemetry>(preview: &Preview<T>) -> Response {
    ([(CONTENT_TYPE, "application/json")], preview.bytes()).into_response()
}
