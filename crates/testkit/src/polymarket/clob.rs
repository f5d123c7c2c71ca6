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

type Params = Query<HashMap<String, String>>;

pub(crate) async fn price(AxumState(state): AxumState<Arc<State>>, Query(q): Params) -> Response {
    let side = q.get("side").map(|s| s.to_ascii_uppercase());
    let price = read(&state, &q, |book| match side.as_deref() {
        Some("BUY") => book.best_ask(),
        Some("SELL") => book.best_bid(),
        _ => None,
    });
    match price {
        Ok(p) => Json(json!({"price": p.to_string()})).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(crate) async fn midpoint(
    AxumState(state): AxumState<Arc<State>>,
    Query(q): Params,
) -> Response {
    let mid = read(&state, &q, |book| {
        Some((book.best_bid()? + book.best_ask()?) / Decimal::TWO)
    });
    match mid {
        Ok(mid) => Json(json!({"mid": mid.normalize().to_string()})).into_response(),
        Err(e) => e.into_response(),
    }
}

pub(crate) async fn book(AxumState(state): AxumState<Arc<State>>, Query(q): Params) -> Response {
    let Some(token) = q.get("token_id") else {
        return Unserved::NoToken.into_response();
    };
    match state.book(token) {
        Some(book) => Json(book.to_json(token, false)).into_response(),
        None => Unserved::NoBook.into_response(),
    }
}

/// Why a price could not be given, as the CLOB says it.
enum Unserved {
    NoToken,
    NoBook,
}

impl IntoResponse for Unserved {
    fn into_response(self) -> Response {
        match self {
            Self::NoToken => (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "Invalid payload"})),
            ),
            Self::NoBook => (
                StatusCode::NOT_FOUND,
                Json(json!({"error": "No orderbook exists for the requested token id"})),
            ),
        }
        .into_response()
    }
}

fn read(
    state: &State,
    q: &HashMap<String, String>,
    value: impl FnOnce(&Book) -> Option<Decimal>,
) -> Result<Decimal, Unserved> {
    let token = q.get("token_id").ok_or(Unserved::NoToken)?;
    let book = state.book(token).ok_or(Unserved::NoBook)?;
    value(&book).ok_or(Unserved::NoBook)
}
