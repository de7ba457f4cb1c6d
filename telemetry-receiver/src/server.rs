//! The HTTP side: `POST /v1/report` and `GET /healthz`, `/readyz` and
//! `/metrics` (see [`crate::monitoring`]) here, and the reading endpoints
//! (`GET /v1/aggregates`, `GET /v1/sessions`, the exports and the
//! dashboard at `GET /`) in [`read`]. Nothing here reads the client's
//! address or any header but `content-type`, and nothing about the client
//! is logged: the page promises it.
//!
//! [`router`] serves everything; [`public_router`] only the reading
//! endpoints, through the k-anonymity filter.

use std::sync::Arc;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::aggregate::observe;
use crate::error::ApiError;
use crate::json::JsonError;
use crate::monitoring;
use crate::schema::{Schemas, Version, NONCE};
use crate::store::{Ingest, Outcome, Store};
use crate::Receiver;

/// The largest report accepted.
pub const MAX_REPORT_BYTES: usize = 64 * 1024;

/// How long a report's body may take to arrive once its headers have:
/// past it the answer is `408` (the headers have their own timeout, see
/// [`crate::edge`]).
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

pub mod read;

/// Everything: reports in, and every aggregate as stored.
pub fn router<S: Store>(receiver: Arc<Receiver<S>>) -> Router {
    // Recording starts with the router, so no count is lost before the
    // first scrape.
    monitoring::install();
    Router::new()
        .route("/v1/report", post(report::<S>))
        .route("/healthz", get(monitoring::healthz))
        .route("/readyz", get(monitoring::readyz::<S>))
        .route("/metrics", get(monitoring::metrics))
        .with_state(Arc::clone(&receiver))
        .merge(read::routes(receiver, read::Audience::Private))
}

/// The public, read-only view: the dashboard, the aggregates API and the
/// exports, where a value seen by fewer than `k` sessions in the window
/// appears only inside `(other)`. `POST /v1/report` is not served.
pub fn public_router<S: Store>(receiver: Arc<Receiver<S>>, k: u32) -> Router {
    read::routes(receiver, read::Audience::Public { k })
}

/// Parse, validate, ingest: `202` once the report is stored (or was
/// already, today). A refusal is counted by its status and reason.
async fn report<S: Store>(
    State(receiver): State<Arc<Receiver<S>>>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let answer = take_report(receiver, headers, body).await;
    if let Err(refusal) = &answer {
        if refusal.status().is_client_error() {
            monitoring::refused(refusal.status(), refusal.reason());
        }
    }
    answer
}

async fn take_report<S: Store>(
    receiver: Arc<Receiver<S>>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let bytes = read_json_body(&headers, body).await?;
    let report = parse(&bytes)?;
    let schemas = receiver.current_schemas();
    let version = validate(&schemas, &report)?;
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
    let status = match receiver
        .store_report(ingest)
        .await
        .map_err(ApiError::not_stored)?
    {
        Outcome::Stored => "stored",
        Outcome::Duplicate => "duplicate",
    };
    Ok((StatusCode::ACCEPTED, Json(json!({ "status": status }))))
}

/// The body of an `application/json` request, at most
/// [`MAX_REPORT_BYTES`]. The type is checked first: nothing is read of a
/// body that would be refused anyway.
async fn read_json_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
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
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "reports are application/json",
        )
        .because("media_type"));
    }
    let too_slow = || {
        ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the body did not arrive within {} s",
                BODY_TIMEOUT.as_secs()
            ),
        )
        .because("body_timeout")
    };
    tokio::time::timeout(BODY_TIMEOUT, to_bytes(body, MAX_REPORT_BYTES))
        .await
        .map_err(|_| too_slow())?
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("a report is at most {MAX_REPORT_BYTES} bytes"),
            )
            .because("too_large")
        })
}

fn parse(bytes: &[u8]) -> Result<Value, ApiError> {
    crate::json::parse(bytes).map_err(|err| match err {
        JsonError::DuplicateKey { pointer, key } => {
            ApiError::bad_request(format!("{pointer}: the key {key:?} appears twice"))
                .at(pointer)
                .because("duplicate_key")
        }
        JsonError::Nul { pointer } => {
            ApiError::bad_request(format!("{pointer}: a string holds U+0000"))
                .at(pointer)
                .because("nul")
        }
        JsonError::Syntax(err) if err.to_string().contains("recursion limit") => {
            ApiError::bad_request("the report is too deeply nested").because("too_deep")
        }
        JsonError::Syntax(err) => {
            ApiError::bad_request(format!("not JSON: {err}")).because("not_json")
        }
    })
}

/// The recorded version `report` names, if the report is valid under it;
/// else the first error, at its field.
fn validate<'s>(schemas: &'s Schemas, report: &Value) -> Result<&'s Version, ApiError> {
    let Some(version_text) = report.get("schema_version").and_then(Value::as_str) else {
        return Err(
            ApiError::bad_request("the report has no schema_version string")
                .at("/schema_version")
                .because("schema_version"),
        );
    };
    let Some(version) = schemas.versions.get(version_text) else {
        let known: Vec<&str> = schemas.versions.keys().map(String::as_str).collect();
        return Err(ApiError::bad_request(format!(
            "unknown schema_version {version_text:?}; recorded: {}",
            known.join(", ")
        ))
        .at("/schema_version")
        .because("schema_version"));
    };
    if let Some(error) = version.validator.iter_errors(report).next() {
        let path = error.instance_path().to_string();
        let field = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        // The validator quotes the value: a 60 KB string is not sent back.
        let mut message = error.to_string();
        if message.len() > MAX_MESSAGE {
            let cut = (0..=MAX_MESSAGE)
                .rev()
                .find(|&at| message.is_char_boundary(at))
                .unwrap_or(0);
            message.truncate(cut);
            message.push_str("...");
        }
        return Err(ApiError::bad_request(format!("{field}: {message}"))
            .at(field)
            .because("invalid"));
    }
    Ok(version)
}

/// The longest validator message sent back, in bytes.
const MAX_MESSAGE: usize = 300;

/// A key for a report without a `session_nonce`: it is never a duplicate.
fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
