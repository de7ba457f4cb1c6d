//! The answer to a request the receiver refuses or cannot serve: a status
//! and `{"error": ..., "field": ...}`. Handlers return
//! `Result<_, ApiError>`, so each refusal is one `?`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::store::StoreError;

/// A refused or failed request, as the client will see it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    /// The JSON pointer of the field at fault, when there is one.
    field: Option<String>,
    /// Why, in one fixed word, for the metrics' `reason` label.
    reason: &'static str,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: None,
            reason: "other",
        }
    }

    /// The same error, with its reason for the metrics.
    pub fn because(mut self, reason: &'static str) -> ApiError {
        self.reason = reason;
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// `400`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// The same error, naming the field at fault (a JSON pointer).
    pub fn at(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    /// `503` for a read the store could not serve. The store's error is
    /// logged with `what`: it names the store's problem, never the client.
    pub fn unavailable(what: &str, err: StoreError) -> ApiError {
        tracing::warn!("{what}: {err}");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage is unavailable")
    }

    /// `503` for a report the store did not take. Not logged here: the
    /// group-commit writer logs the store's error once for its batch.
    pub fn not_stored(_err: StoreError) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage is unavailable; nothing was stored",
        )
        .because("storage")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.message });
        if let Some(field) = self.field {
            body["field"] = json!(field);
        }
        (self.status, Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(error: ApiError) -> (StatusCode, serde_json::Value) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn the_answer_names_the_error_and_the_field_when_there_is_one() {
        assert_eq!(
            answer(ApiError::bad_request("no").at("/tier")).await,
            (
                StatusCode::BAD_REQUEST,
                json!({ "error": "no", "field": "/tier" })
            )
        );
        let unavailable = ApiError::unavailable("reading", StoreError("down".to_owned()));
        assert_eq!(
            answer(unavailable).await,
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "storage is unavailable" })
            )
        );
    }
}
