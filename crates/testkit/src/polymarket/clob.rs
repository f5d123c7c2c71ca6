//! CLOB REST: `/price?token_id=&side=` (BUY: what a buyer pays, the best ask; SELL: the
//! best bid), `/midpoint?token_id=` and `/book?token_id=`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde_json::json;

use super::state::{Book, State};

pub(crate) async fn price(
    AxumState(state): AxumState<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let side = q.get("side").map(|s| s.to_ascii_uppercase());
    with_book(&state, &q, |book| match side.as_deref() {
        Some("BUY") => book.best_ask(),
        Some("SELL") => book.best_bid(),
        _ => None,
    })
    .map(|p| Json(json!({"price": p.to_string()})).into_response())
    .unwrap_or_else(|e| e)
}

pub(crate) async fn midpoint(
    AxumState(state): AxumState<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    with_book(&state, &q, |book| {
        Some((book.best_bid()? + book.best_ask()?) / Decimal::TWO)
    })
    .map(|mid| Json(json!({"mid": mid.normalize().to_string()})).into_response())
    .unwrap_or_else(|e| e)
}

pub(crate) async fn book(
    AxumState(state): AxumState<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(token) = q.get("token_id") else {
        return missing_token();
    };
    match state.book(token) {
        Some(book) => Json(book.to_json(token, false)).into_response(),
        None => no_book(),
    }
}

fn with_book(
    state: &State,
    q: &HashMap<String, String>,
    read: impl FnOnce(&Book) -> Option<Decimal>,
) -> Result<Decimal, Response> {
    let token = q.get("token_id").ok_or_else(missing_token)?;
    let book = state.book(token).ok_or_else(no_book)?;
    read(&book).ok_or_else(no_book)
}

fn missing_token() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": "Invalid payload"})),
    )
        .into_response()
}

fn no_book() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"error": "No orderbook exists for the requested token id"})),
    )
        .into_response()
}
