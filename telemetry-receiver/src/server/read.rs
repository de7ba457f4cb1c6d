//! The reading endpoints: the dashboard at `GET /`, `GET /v1/aggregates`,
//! `GET /v1/sessions`, and the exports `GET /v1/export.csv` and
//! `GET /v1/export.json`, each for a window (`?window=7|30|90|365` or
//! `?from=YYYY-MM-DD&to=YYYY-MM-DD`). The same routes serve the private
//! address and the public one; on the public one every answer goes
//! through the k-anonymity filter first.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::dashboard::stream::{self, Format};
use crate::dashboard::{self, all_fields, export, Window, WindowData, WindowQuery};
use crate::error::ApiError;
use crate::store::Store;
use crate::Receiver;

/// Who reads: the operator, or anyone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Everything, as stored.
    Private,
    /// Values seen by fewer than `k` sessions only inside `(other)`.
    Public { k: u32 },
}

struct Reader<S> {
    receiver: Arc<Receiver<S>>,
    audience: Audience,
}

/// The reading routes for `audience`.
pub fn routes<S: Store>(receiver: Arc<Receiver<S>>, audience: Audience) -> Router {
    Router::new()
        .route("/", get(page::<S>))
        .route("/v1/aggregates", get(aggregates::<S>))
        .route("/v1/sessions", get(sessions::<S>))
        .route("/v1/export.csv", get(export_csv::<S>))
        .route("/v1/export.json", get(export_json::<S>))
        .with_state(Arc::new(Reader { receiver, audience }))
}

/// A window, and optionally one field.
#[derive(Deserialize)]
struct Asked {
    field: Option<String>,
    #[serde(flatten)]
    window: WindowQuery,
}

impl<S: Store> Reader<S> {
    fn window(&self, query: &WindowQuery) -> Result<Window, ApiError> {
        Window::parse(query, self.receiver.clock.today()).map_err(ApiError::bad_request)
    }

    /// `field`, if the schemas have it; else a 404 naming it.
    fn field<'a>(&self, field: Option<&'a str>) -> Result<Option<&'a str>, ApiError> {
        match field {
            Some(name) if !self.receiver.current_schemas().fields.contains_key(name) => {
                Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no field {name:?} in the recorded schemas"),
                ))
            }
            field => Ok(field),
        }
    }

    /// The window's data as this audience may see it.
    async fn read(&self, window: Window, field: Option<&str>) -> Result<WindowData, ApiError> {
        let data = dashboard::read(&self.receiver, window, field)
            .await
            .map_err(|err| ApiError::unavailable("aggregates could not be read", err))?;
        Ok(match self.audience {
            Audience::Private => data,
            Audience::Public { k } => dashboard::k_anonymous(data, k),
        })
    }
}

async fn page<S: Store>(
    State(reader): State<Arc<Reader<S>>>,
    Query(query): Query<WindowQuery>,
) -> Result<Html<String>, ApiError> {
    let window = reader.window(&query)?;
    let data = dashboard::read_page(&reader.receiver, window)
        .await
        .map_err(|err| ApiError::unavailable("aggregates could not be read", err))?;
    let data = match reader.audience {
        Audience::Private => data,
        Audience::Public { k } => dashboard::k_anonymous_page(data, k),
    };
    Ok(Html(dashboard::render(&data)))
}

async fn aggregates<S: Store>(
    State(reader): State<Arc<Reader<S>>>,
    Query(asked): Query<Asked>,
) -> Result<Response, ApiError> {
    let window = reader.window(&asked.window)?;
    let Some(field) = reader.field(asked.field.as_deref())? else {
        let schemas = reader.receiver.current_schemas();
        let names: Vec<&String> = schemas.fields.keys().collect();
        return Err(ApiError::bad_request(format!(
            "name a field: ?field=..., one of {names:?}"
        )));
    };
    let data = reader.read(window, Some(field)).await?;
    match data.fields.first() {
        Some(found) => json_response(&export::field_json(&data, found)),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "no such field")),
    }
}

/// `value` as an `application/json` answer, serialized in one pass.
fn json_response(value: &impl serde::Serialize) -> Result<Response, ApiError> {
    let bytes = serde_json::to_vec(value)
        .map_err(|err| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    Ok(([(header::CONTENT_TYPE, JSON)], bytes).into_response())
}

async fn sessions<S: Store>(
    State(reader): State<Arc<Reader<S>>>,
    Query(query): Query<WindowQuery>,
) -> Result<Json<Value>, ApiError> {
    let window = reader.window(&query)?;
    // Only the sessions: no field's counts are read.
    let data = reader.read(window, Some("")).await?;
    Ok(Json(json!({
        "from": window.from.to_string(),
        "to": window.to.to_string(),
        "sessions": data.sessions,
    })))
}

const JSON: &str = "application/json";
const CSV: &str = "text/csv; charset=utf-8";

async fn export_json<S: Store>(
    State(reader): State<Arc<Reader<S>>>,
    Query(asked): Query<Asked>,
) -> Result<Response, ApiError> {
    let window = reader.window(&asked.window)?;
    match reader.field(asked.field.as_deref())? {
        None => reader.export_all(window, Format::Json, JSON).await,
        field => {
            let data = reader.read(window, field).await?;
            json_response(&export::json(&data))
        }
    }
}

async fn export_csv<S: Store>(
    State(reader): State<Arc<Reader<S>>>,
    Query(asked): Query<Asked>,
) -> Result<Response, ApiError> {
    let window = reader.window(&asked.window)?;
    match reader.field(asked.field.as_deref())? {
        None => reader.export_all(window, Format::Csv, CSV).await,
        field => {
            let data = reader.read(window, field).await?;
            let text = export::csv(&data)
                .map_err(|err| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, err))?;
            Ok(([(header::CONTENT_TYPE, CSV)], text).into_response())
        }
    }
}

impl<S: Store> Reader<S> {
    /// Every field's export, written as it is sent (see `dashboard::stream`).
    async fn export_all(
        &self,
        window: Window,
        format: Format,
        content_type: &'static str,
    ) -> Result<Response, ApiError> {
        let public_k = match self.audience {
            Audience::Private => None,
            Audience::Public { k } => Some(k),
        };
        let all = all_fields::read_all(&self.receiver, window, public_k)
            .await
            .map_err(|err| ApiError::unavailable("aggregates could not be read", err))?;
        let body = Body::from_stream(futures_util::stream::iter(stream::chunks(all, format)));
        Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
    }
}
