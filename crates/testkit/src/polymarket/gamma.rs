//! Gamma: `GET /markets/keyset?limit=&cursor=&closed=` (pages of at most 100 with an
//! opaque `next_cursor`, none on the last page) and the older `GET /markets?limit=&offset=`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::market::FakeMarket;
use super::state::State;

const MAX_PAGE: usize = 100;

pub(crate) async fn keyset(
    AxumState(state): AxumState<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if state.gamma_request() {
        return failure();
    }
    let markets = filtered(state.markets(), &q);
    let limit = limit(&q);
    let start = match q.get("cursor").map(|c| decode_cursor(c)) {
        Some(Some(offset)) => offset,
        Some(None) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid cursor"})),
            )
                .into_response();
        }
        None => 0,
    };
    let end = (start + limit).min(markets.len());
    let page: Vec<Value> = markets
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(FakeMarket::to_gamma)
        .collect();
    let mut body = json!({"markets": page});
    if end < markets.len() {
        body["next_cursor"] = json!(encode_cursor(end));
    }
    Json(body).into_response()
}

pub(crate) async fn list(
    AxumState(state): AxumState<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if state.gamma_request() {
        return failure();
    }
    let markets = filtered(state.markets(), &q);
    let offset: usize = q.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
    let page: Vec<Value> = markets
        .iter()
        .skip(offset)
        .take(limit(&q))
        .map(FakeMarket::to_gamma)
        .collect();
    Json(page).into_response()
}

fn failure() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"error": "injected failure"})),
    )
        .into_response()
}

/// `closed=` and `active=` filters, when given.
fn filtered(markets: Vec<FakeMarket>, q: &HashMap<String, String>) -> Vec<FakeMarket> {
    let flag = |name: &str| q.get(name).map(|v| v == "true");
    markets
        .into_iter()
        .filter(|m| flag("closed").is_none_or(|c| m.closed == c))
        .filter(|m| flag("active").is_none_or(|a| m.active == a))
        .collect()
}

fn limit(q: &HashMap<String, String>) -> usize {
    q.get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(MAX_PAGE)
        .clamp(1, MAX_PAGE)
}

fn encode_cursor(offset: usize) -> String {
    format!("k{offset:x}")
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    usize::from_str_radix(cursor.strip_prefix('k')?, 16).ok()
}
