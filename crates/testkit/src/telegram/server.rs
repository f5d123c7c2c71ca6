//! HTTP front of the fake: `{base}/bot{token}/{method}` by GET or POST, answered in
//! the Bot API's JSON envelopes.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};

use super::methods::{self, Failure};
use super::params::Params;
use super::state::Shared;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{bot_token}/{method}", any(handle))
        .fallback(|| async { failure(Failure::not_found()) })
        .with_state(shared)
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((bot_token, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(token) = bot_token.strip_prefix("bot") else {
        return failure(Failure::not_found());
    };
    if token != shared.token {
        return failure(Failure {
            code: 401,
            description: "Unauthorized".into(),
            retry_after: None,
        });
    }
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let params = match Params::parse(query.as_deref(), content_type, &body) {
        Ok(p) => p,
        Err(description) => {
            return failure(Failure {
                code: 400,
                description,
                retry_after: None,
            });
        }
    };
    match methods::call(&shared, &method, &params).await {
        Ok(result) => (
            StatusCode::OK,
            axum::Json(json!({"ok": true, "result": result})),
        )
            .into_response(),
        Err(Failure { code: 404, .. }) => failure(Failure {
            code: 404,
            description: "Not Found: method not found".into(),
            retry_after: None,
        }),
        Err(f) => failure(f),
    }
}

/// `{"ok": false, "error_code": .., "description": .., "parameters": {"retry_after": ..}}`.
fn failure(f: Failure) -> Response {
    let mut body = json!({"ok": false, "error_code": f.code, "description": f.description});
    if let Some(retry_after) = f.retry_after {
        body["parameters"] = json!({ "retry_after": retry_after });
    }
    let status = StatusCode::from_u16(f.code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json::<Value>(body)).into_response()
}
