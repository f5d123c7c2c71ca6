//! Data API: `GET /activity?user=&type=&limit=&offset=&start=&end=&sortDirection=`, rows
//! in Polymarket's camelCase with numbers as JSON numbers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State as AxumState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use ts_core::copy::IncomingTrade;

use super::market::number;
use super::state::State;

pub(crate) async fn activity(
    AxumState(state): AxumState<Arc<State>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(user) = q.get("user").map(|u| u.to_ascii_lowercase()) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "user is required"})),
        )
            .into_response();
    };
    let int = |name: &str| q.get(name).and_then(|v| v.parse::<i64>().ok());
    let types: Vec<String> = q
        .get("type")
        .map(|t| {
            t.split(',')
                .map(|s| s.trim().to_ascii_uppercase())
                .collect()
        })
        .unwrap_or_default();
    if !types.is_empty() && !types.iter().any(|t| t == "TRADE") {
        return Json(Vec::<Value>::new()).into_response(); // the fake only has trades
    }
    let mut rows: Vec<IncomingTrade> = state
        .activity()
        .into_iter()
        .filter(|t| t.proxy_wallet.as_str() == user)
        .filter(|t| int("start").is_none_or(|s| t.timestamp >= s))
        .filter(|t| int("end").is_none_or(|e| t.timestamp <= e))
        .collect();
    rows.sort_by_key(|t| t.timestamp);
    if !q
        .get("sortDirection")
        .is_some_and(|d| d.eq_ignore_ascii_case("ASC"))
    {
        rows.reverse();
    }
    let offset = int("offset").unwrap_or(0).clamp(0, 10_000) as usize;
    let limit = int("limit").unwrap_or(100).clamp(1, 500) as usize;
    let page: Vec<Value> = rows.iter().skip(offset).take(limit).map(row).collect();
    Json(page).into_response()
}

fn row(t: &IncomingTrade) -> Value {
    let opt = |d: Option<rust_decimal::Decimal>| d.map(number).unwrap_or(Value::Null);
    json!({
        "proxyWallet": t.proxy_wallet.as_str(),
        "timestamp": t.timestamp,
        "conditionId": t.condition_id,
        "type": "TRADE",
        "size": opt(t.size),
        "usdcSize": number(t.usdc()),
        "transactionHash": t.transaction_hash,
        "price": number(t.price),
        "asset": t.asset,
        "side": t.side.as_str(),
        "outcomeIndex": t.outcome_index,
        "outcome": t.outcome,
        "title": t.title,
        "slug": "",
        "eventSlug": "",
        "name": t.name,
        "pseudonym": t.pseudonym,
    })
}
