//! The HTTP side: `POST /v1/report`, `GET /v1/aggregates`, `GET
//! /v1/sessions` and the dashboard at `GET /`. Nothing here reads the
//! client's address or any header but `content-type`, and nothing about
//! the client is logged: the page promises it.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use time::{Date, Duration};

use crate::aggregate::observe;
use crate::clock::parse_day;
use crate::schema::NONCE;
use crate::store::{Ingest, Outcome, Store};
use crate::Receiver;

/// The largest report accepted.
pub const MAX_REPORT_BYTES: usize = 64 * 1024;

pub fn router<S: Store>(receiver: Arc<Receiver<S>>) -> Router {
    Router::new()
        .route("/v1/report", post(report::<S>))
        .route("/v1/aggregates", get(aggregates::<S>))
        .route("/v1/sessions", get(sessions::<S>))
        .route("/", get(dashboard::<S>))
        .with_state(receiver)
}

/// `503` for a request the store could not serve; the error is logged
/// (it names the store's problem, never the client).
fn unavailable(what: &str, err: crate::store::StoreError) -> Response {
    tracing::warn!("{what}: {err}");
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage is unavailable",
        None,
    )
}

fn refuse(status: StatusCode, error: impl Into<String>, field: Option<String>) -> Response {
    let mut body = json!({ "error": error.into() });
    if let Some(field) = field {
        body["field"] = json!(field);
    }
    (status, Json(body)).into_response()
}

async fn report<S: Store>(
    State(receiver): State<Arc<Receiver<S>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        });
    if !json_body {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "reports are application/json",
            None,
        );
    }
    let Ok(bytes) = to_bytes(body, MAX_REPORT_BYTES).await else {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a report is at most {MAX_REPORT_BYTES} bytes"),
            None,
        );
    };
    let report: Value = match serde_json::from_slice(&bytes) {
        Ok(report) => report,
        Err(err) if err.to_string().contains("recursion limit") => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the report is too deeply nested",
                None,
            )
        }
        Err(err) => return refuse(StatusCode::BAD_REQUEST, format!("not JSON: {err}"), None),
    };
    let Some(version_text) = report.get("schema_version").and_then(Value::as_str) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "the report has no schema_version string",
            Some("/schema_version".to_owned()),
        );
    };
    let Some(version) = receiver.schemas.versions.get(version_text) else {
        let known: Vec<&str> = receiver
            .schemas
            .versions
            .keys()
            .map(String::as_str)
            .collect();
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown schema_version {version_text:?}; recorded: {}",
                known.join(", ")
            ),
            Some("/schema_version".to_owned()),
        );
    };
    if let Some(error) = version.validator.iter_errors(&report).next() {
        let path = error.instance_path().to_string();
        let field = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("{field}: {error}"),
            Some(field),
        );
    }
    let session_key = match report.get(NONCE).and_then(Value::as_str) {
        Some(nonce) => nonce.to_owned(),
        None => random_key(),
    };
    let ingest = Ingest {
        day: receiver.clock.today(),
        version: version.version.clone(),
        session_key,
        observations: observe(&version.fields, &report),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    match receiver.store.ingest(ingest).await {
        Ok(outcome) => {
            let status = match outcome {
                Outcome::Stored => "stored",
                Outcome::Duplicate => "duplicate",
            };
            (StatusCode::ACCEPTED, Json(json!({ "status": status }))).into_response()
        }
        Err(err) => {
            tracing::warn!("a report was not stored: {err}");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage is unavailable; nothing was stored",
                None,
            )
        }
    }
}

/// A key for a report without a `session_nonce`: it is never a duplicate.
fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct Range {
    field: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl Range {
    /// `from..=to`, by default the last 30 days; the error names the bad day.
    fn days(&self, today: Date) -> Result<(Date, Date), String> {
        let parse = |text: &Option<String>, default: Date| match text {
            Some(text) => parse_day(text),
            None => Ok(default),
        };
        Ok((
            parse(&self.from, today - Duration::days(29))?,
            parse(&self.to, today)?,
        ))
    }
}

async fn aggregates<S: Store>(
    State(receiver): State<Arc<Receiver<S>>>,
    Query(range): Query<Range>,
) -> Response {
    let (from, to) = match range.days(receiver.clock.today()) {
        Ok(days) => days,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, why, None),
    };
    let fields = &receiver.schemas.fields;
    let Some(field) = range.field.as_deref() else {
        let names: Vec<&String> = fields.keys().collect();
        return refuse(
            StatusCode::BAD_REQUEST,
            format!("name a field: ?field=..., one of {names:?}"),
            None,
        );
    };
    let Some(kind) = fields.get(field) else {
        return refuse(
            StatusCode::NOT_FOUND,
            format!("no field {field:?} in the recorded schemas"),
            None,
        );
    };
    let (counts, numbers) = match (
        receiver.store.counts(field, from, to).await,
        receiver.store.numbers(field, from, to).await,
    ) {
        (Ok(counts), Ok(numbers)) => (counts, numbers),
        (Err(err), _) | (_, Err(err)) => return unavailable("aggregates could not be read", err),
    };
    Json(json!({
        "field": field,
        "kind": kind.name(),
        "from": from.to_string(),
        "to": to.to_string(),
        "counts": counts,
        "numbers": numbers,
    }))
    .into_response()
}

async fn sessions<S: Store>(
    State(receiver): State<Arc<Receiver<S>>>,
    Query(range): Query<Range>,
) -> Response {
    let (from, to) = match range.days(receiver.clock.today()) {
        Ok(days) => days,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, why, None),
    };
    match receiver.store.sessions(from, to).await {
        Ok(rows) => {
            Json(json!({ "from": from.to_string(), "to": to.to_string(), "sessions": rows }))
                .into_response()
        }
        Err(err) => unavailable("sessions could not be read", err),
    }
}

async fn dashboard<S: Store>(State(receiver): State<Arc<Receiver<S>>>) -> Response {
    match crate::dashboard::page(&receiver).await {
        Ok(page) => Html(page).into_response(),
        Err(err) => unavailable("the dashboard could not be drawn", err),
    }
}
