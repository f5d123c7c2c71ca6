use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The process is up.
#[utoipa::path(get, path = "/health/live", tag = "health", responses((status = 200, description = "alive")))]
pub async fn live() -> Json<serde_json::Value> {
    Json(json!({"status": "healthy"}))
}

/// Ready when Postgres and Redis both answer; a 503 names the one that does not.
#[utoipa::path(get, path = "/health/ready", tag = "health",
    responses((status = 200, description = "ready"), (status = 503, description = "a dependency is down")))]
pub async fn ready(State(state): State<AppState>) -> Response {
    let (pg, redis) = tokio::join!(
        tokio::time::timeout(CHECK_TIMEOUT, state.store.ping()),
        tokio::time::timeout(CHECK_TIMEOUT, state.cache.ping()),
    );
    let pg = match pg {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".to_string()),
    };
    let redis = match redis {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("timed out".to_string()),
    };
    let failed: Vec<String> = [("postgres", &pg), ("redis", &redis)]
        .into_iter()
        .filter_map(|(name, r)| r.as_ref().err().map(|e| format!("{name} unavailable: {e}")))
        .collect();
    let status_of = |r: &Result<(), String>| if r.is_ok() { "ok" } else { "unavailable" };
    let checks = json!({"postgres": status_of(&pg), "redis": status_of(&redis)});
    if failed.is_empty() {
        (
            StatusCode::OK,
            Json(json!({"status": "ready", "checks": checks})),
        )
            .into_response()
    } else {
        let body = json!({
            "status": "not_ready",
            "checks": checks,
            "error": {"code": "dependency_unavailable", "message": failed.join("; ")},
        });
        (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
    }
}

/// Name and version of the service.
#[utoipa::path(get, path = "/", tag = "health", responses((status = 200, description = "service info")))]
pub async fn root() -> Json<serde_json::Value> {
    Json(json!({
        "name": "tradingstack-api",
        "version": env!("CARGO_PKG_VERSION"),
        "docs": "/docs",
        "openapi": "/openapi.json",
    }))
}

/// Prometheus metrics: cache hits and misses.
#[utoipa::path(get, path = "/metrics", tag = "health", responses((status = 200, description = "Prometheus text")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let s = state.cache.stats();
    let body = format!(
        "# HELP ts_cache_hits_total Cached reads served from Redis.\n# TYPE ts_cache_hits_total counter\nts_cache_hits_total {}\n\
         # HELP ts_cache_misses_total Cached reads that went to Postgres.\n# TYPE ts_cache_misses_total counter\nts_cache_misses_total {}\n",
        s.hits, s.misses
    );
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        body,
    )
}
