use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use ts_core::ApiErrorBody;
use ts_core::market::Recommendation;
use ts_core::recommend;

use crate::cached::cached_raw;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::markets::with_live_prices_all;
use crate::state::AppState;
use ts_cache::keys as cache_keys;

/// Candidate pool: the most traded active markets.
const CANDIDATES: u32 = 100;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecommendationsQuery {
    /// 1 to 50, default 5.
    pub limit: Option<u32>,
}

/// Ranked markets with the reason for each (cached).
#[utoipa::path(get, path = "/api/v1/smart-trading/recommendations", tag = "smart-trading", params(RecommendationsQuery),
    responses((status = 200, body = Vec<Recommendation>), (status = 422, body = ApiErrorBody)), security(("bearer" = [])))]
pub async fn recommendations(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<RecommendationsQuery>,
) -> ApiResult<Response> {
    let limit = q.limit.unwrap_or(5);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::Validation(format!(
            "limit must be between 1 and 50, got {limit}"
        )));
    }
    let key = cache_keys::recommendations(&state.cache, limit);
    cached_raw(&state, key, || async {
        let markets =
            with_live_prices_all(&state, state.store.markets().top_active(CANDIDATES).await?).await;
        Ok(recommend::rank(markets, limit as usize))
    })
    .await
}
