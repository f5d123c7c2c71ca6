use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ts_core::copy::{LeaderTrade, WatchedAddress, WebhookPayload, WebhookReceipt};
use ts_core::{ApiErrorBody, LeaderAddress};
use ts_store::trading::TradeSource;

use crate::cached::cached_raw;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::ingest::ingest;
use crate::state::AppState;
use ts_cache::keys as cache_keys;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TradesQuery {
    /// A leader's address.
    pub leader: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<u32>,
}

/// Stored leader trades, newest first (cached).
#[utoipa::path(get, path = "/api/v1/trades", tag = "copy-trading", params(TradesQuery),
    responses((status = 200, body = Vec<LeaderTrade>), (status = 422, body = ApiErrorBody)), security(("bearer" = [])))]
pub async fn list_trades(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TradesQuery>,
) -> ApiResult<Response> {
    let leader = q.leader.as_deref().map(LeaderAddress::parse).transpose()?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::Validation(format!(
            "limit must be between 1 and 500, got {limit}"
        )));
    }
    let key = cache_keys::trades(
        &state.cache,
        leader.as_ref().map_or("all", LeaderAddress::as_str),
        limit,
    );
    cached_raw(&state, key, || async {
        Ok(state.store.trading().trades(leader.as_ref(), limit).await?)
    })
    .await
}

/// Leader trades found by the workers' Data API poll: the same path as the webhook.
#[utoipa::path(post, path = "/api/v1/trades", tag = "copy-trading", request_body = WebhookPayload,
    responses((status = 200, body = WebhookReceipt), (status = 422, body = ApiErrorBody)), security(("bearer" = [])))]
pub async fn ingest_trades(
    State(state): State<AppState>,
    ApiJson(payload): ApiJson<WebhookPayload>,
) -> ApiResult<Json<WebhookReceipt>> {
    Ok(Json(
        ingest(&state, payload.into_trades(), TradeSource::DataApi).await?,
    ))
}

/// Leader addresses with active allocations, which the workers must follow (cached).
#[utoipa::path(get, path = "/api/v1/watched-addresses", tag = "copy-trading",
    responses((status = 200, body = Vec<WatchedAddress>)), security(("bearer" = [])))]
pub async fn watched_addresses(State(state): State<AppState>) -> ApiResult<Response> {
    let key = cache_keys::watched(&state.cache);
    cached_raw(&state, key, || async {
        Ok(state.store.trading().watched_addresses().await?)
    })
    .await
}
