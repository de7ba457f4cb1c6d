//! The HTTP side: `POST /v1/report` here, and the reading endpoints
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
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::aggregate::observe;
use crate::error::ApiError;
use crate::schema::{Schemas, Version, NONCE};
use crate::store::{Ingest, Outcome, Store};
use crate::Receiver;

/// The largest report accepted.
pub const MAX_REPORT_BYTES: usize = 64 * 1024;

pub mod read;

/// Everything: reports in, and every aggregate as stored.
pub fn router<S: Store>(receiver: Arc<Receiver<S>>) -> Router {
    Router::new()
        .route("/v1/report", post(report::<S>))
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
/// already, today).
async fn report<S: Store>(
    State(receiver): State<Arc<Receiver<S>>>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let bytes = read_json_body(&headers, body).await?;
    let report = parse(&bytes)?;
    let version = validate(&receiver.schemas, &report)?;
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
        .store
        .ingest(ingest)
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
        ));
    }
    to_bytes(body, MAX_REPORT_BYTES).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a report is at most {MAX_REPORT_BYTES} bytes"),
        )
    })
}

fn parse(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|err| {
        if err.to_string().contains("recursion limit") {
            ApiError::bad_request("the report is too deeply nested")
        } else {
            ApiError::bad_request(format!("not JSON: {err}"))
        }
    })
}

/// The recorded version `report` names, if the report is valid under it;
/// else the first error, at its field.
fn validate<'s>(schemas: &'s Schemas, report: &Value) -> Result<&'s Version, ApiError> {
    let Some(version_text) = report.get("schema_version").and_then(Value::as_str) else {
        return Err(
            ApiError::bad_request("the report has no schema_version string").at("/schema_version"),
        );
    };
    let Some(version) = schemas.versions.get(version_text) else {
        let known: Vec<&str> = schemas.versions.keys().map(String::as_str).collect();
        return Err(ApiError::bad_request(format!(
            "unknown schema_version {version_text:?}; recorded: {}",
            known.join(", ")
        ))
        .at("/schema_version"));
    };
    if let Some(error) = version.validator.iter_errors(report).next() {
        let path = error.instance_path().to_string();
        let field = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        return Err(ApiError::bad_request(format!("{field}: {error}")).at(field));
    }
    Ok(version)
}

/// A key for a report without a `session_nonce`: it is never a duplicate.
fn random_key() -> String {
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
