//! `GET /health/live` and `GET /health/ready` on `HEALTH_PORT` (8002): ready (200) when
//! every worker runs, else 503; both list each worker's state.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::json;

use crate::status::Status;

pub fn router(status: Status) -> Router {
    Router::new()
        .route(
            "/health/live",
            get(|| async { Json(json!({"status": "healthy"})) }),
        )
        .route("/health/ready", get(ready))
        .with_state(status)
}

async fn ready(State(status): State<Status>) -> (StatusCode, Json<serde_json::Value>) {
    let workers = status.snapshot();
    if status.all_running() {
        (
            StatusCode::OK,
            Json(json!({"status": "ready", "workers": workers})),
        )
    } else {
        let waiting: Vec<&str> = workers
            .iter()
            .filter(|(_, s)| s.state != crate::status::WorkerState::Running)
            .map(|(name, _)| *name)
            .collect();
        let body = json!({
            "status": "not_ready",
            "workers": workers,
            "error": {"code": "workers_not_running", "message": format!("not running: {}", waiting.join(", "))},
        });
        (StatusCode::SERVICE_UNAVAILABLE, Json(body))
    }
}
