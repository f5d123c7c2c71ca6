use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_core::ApiErrorBody;
use ts_core::market::{Market, MarketPage};
use ts_store::markets::{MarketFilter, decode_cursor};

use crate::cached::{cached, cached_raw};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use ts_cache::keys as cache_keys;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MarketsQuery {
    /// Case-insensitive text in the question or slug.
    pub search: Option<String>,
    /// true: open markets only; false: closed or inactive only.
    pub active: Option<bool>,
    /// 1 to 100, default 20.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl MarketsQuery {
    fn into_filter(self) -> ApiResult<MarketFilter> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::Validation(format!(
                "limit must be between 1 and {MAX_LIMIT}, got {limit}"
            )));
        }
        let search = self
            .search
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
            return Err(ApiError::Validation(
                "search must be at most 200 characters".into(),
            ));
        }
        if let Some(c) = &self.cursor
            && decode_cursor(c).is_none()
        {
            return Err(ApiError::BadRequest(
                "invalid_cursor",
                "cursor is not a next_cursor of this API".into(),
            ));
        }
        Ok(MarketFilter {
            search,
            active: self.active,
            limit,
            cursor: self.cursor,
        })
    }
}

fn fingerprint(f: &MarketFilter) -> String {
    let raw = format!("{:?}|{:?}|{}|{:?}", f.search, f.active, f.limit, f.cursor);
    hex::encode(&Sha256::digest(raw.as_bytes())[..16])
}

/// Markets, highest volume first, keyset-paged (cached).
#[utoipa::path(get, path = "/api/v1/markets", tag = "markets", params(MarketsQuery),
    responses((status = 200, body = MarketPage), (status = 400, body = ApiErrorBody), (status = 422, body = ApiErrorBody)),
    security(("bearer" = [])))]
pub async fn list_markets(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<MarketsQuery>,
) -> ApiResult<Response> {
    let filter = q.into_filter()?;
    let key = cache_keys::market_list(&state.cache, &fingerprint(&filter));
    cached_raw(&state, key, || async {
        let (markets, next_cursor) = state.store.markets().list(&filter).await?;
        Ok(MarketPage {
            markets,
            next_cursor,
        })
    })
    .await
}

/// One market with its outcome token ids and their latest prices.
#[utoipa::path(get, path = "/api/v1/markets/{id}", tag = "markets", params(("id" = String, Path)),
    responses((status = 200, body = Market), (status = 404, body = ApiErrorBody)), security(("bearer" = [])))]
pub async fn get_market(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Market>> {
    let market = load_market(&state, &id).await?;
    Ok(Json(with_live_prices(&state, market).await))
}

/// The stored market (cached), 404 when unknown.
pub async fn load_market(state: &AppState, id: &str) -> ApiResult<Market> {
    if id.is_empty() || id.len() > 100 {
        return Err(ApiError::Validation(
            "market id must be 1 to 100 characters".into(),
        ));
    }
    let key = cache_keys::market(&state.cache, id);
    cached(state, key, || async {
        state
            .store
            .markets()
            .get(id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("market {id}")))
    })
    .await
}

/// Overrides each outcome's stored price with the streamer's latest tick, when known.
pub async fn with_live_prices(state: &AppState, market: Market) -> Market {
    with_live_prices_all(state, vec![market]).await.remove(0)
}

/// `with_live_prices` for many markets with one MGET.
pub async fn with_live_prices_all(state: &AppState, mut markets: Vec<Market>) -> Vec<Market> {
    let tokens: Vec<String> = markets
        .iter()
        .flat_map(|m| m.outcomes.iter().map(|o| o.token_id.clone()))
        .collect();
    match state.cache.get_prices(&tokens).await {
        Ok(prices) => {
            let outcomes = markets.iter_mut().flat_map(|m| m.outcomes.iter_mut());
            for (o, tick) in outcomes.zip(prices) {
                if let Some(t) = tick {
                    o.price = Some(t.price);
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read live prices"),
    }
    markets
}
