//! `/health/live` and `/health/ready` on `HEALTH_PORT`: ready once the API answered
//! and the Bot API accepted `getMe`; a 503 names what is still missing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Default)]
pub struct Readiness {
    api: Arc<AtomicBool>,
    telegram: Arc<AtomicBool>,
}

impl Readiness {
    pub fn api_answered(&self) {
        self.api.store(true, Ordering::Release);
    }

    pub fn telegram_answered(&self) {
        self.telegram.store(true, Ordering::Release);
    }

    fn state(&self) -> (bool, bool) {
        (
            self.api.load(Ordering::Acquire),
            self.telegram.load(Ordering::Acquire),
        )
    }
}

pub fn router(readiness: Readiness) -> Router {
    Router::new()
        .route(
            "/health/live",
            get(|| async { Json(json!({"status": "healthy"})) }),
        )
        .route("/health/ready", get(ready))
        .with_state(readiness)
}

async fn ready(State(readiness): State<Readiness>) -> Response {
    let (api, telegram) = readiness.state();
    let word = |ok: bool| if ok { "ok" } else { "waiting" };
    let checks = json!({"api": word(api), "telegram": word(telegram)});
    if api && telegram {
        return (
            StatusCode::OK,
            Json(json!({"status": "ready", "checks": checks})),
        )
            .into_response();
    }
    let mut missing = Vec::new();
    if !api {
        missing.push("the API has not answered yet");
    }
    if !telegram {
        missing.push("the Telegram Bot API has not accepted getMe yet");
    }
    let body = json!({
        "status": "not_ready",
        "checks": checks,
        "error": {"code": "dependency_unavailable", "message": missing.join("; ")},
    });
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

/// Serves until `stop` is cancelled.
pub async fn serve(
    listener: TcpListener,
    readiness: Readiness,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    axum::serve(listener, router(readiness))
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await?;
    Ok(())
}
