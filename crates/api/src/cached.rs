//! Read-through caching of GET responses in Redis. When Redis fails, reads fall back
//! to Postgres (logged), so a cache outage slows the API down instead of breaking it.
use std::future::Future;
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use ts_cache::Cache;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The cached JSON text under `key`, or `load`'s value serialised and cached.
pub async fn cached_raw<T, F, Fut>(state: &AppState, key: String, load: F) -> ApiResult<Response>
where
    T: Serialize,
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    match state.cache.get_raw(&key).await {
        Ok(Some(json)) => return Ok(json_response(json)),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "cache read failed, reading from postgres"),
    }
    let value = load().await?;
    let json = serde_json::to_string(&value).map_err(|e| ApiError::Internal(e.into()))?;
    if let Err(e) = state
        .cache
        .set_raw(&key, &json, state.inner.cache_ttl)
        .await
    {
        tracing::warn!(error = %e, "cache write failed");
    }
    Ok(json_response(json))
}

/// Like `cached_raw`, for handlers that post-process the value.
pub async fn cached<T, F, Fut>(state: &AppState, key: String, load: F) -> ApiResult<T>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    match state.cache.get_json::<T>(&key).await {
        Ok(Some(v)) => return Ok(v),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "cache read failed, reading from postgres"),
    }
    let value = load().await?;
    if let Err(e) = state
        .cache
        .set_json(&key, &value, state.inner.cache_ttl)
        .await
    {
        tracing::warn!(error = %e, "cache write failed");
    }
    Ok(value)
}

/// A read that began before a write can store what it read just after the write's
/// invalidation; deleting again once such a read has surely finished bounds that race.
const REPEAT_INVALIDATION_AFTER: Duration = Duration::from_secs(1);

/// Runs an invalidation after a write, now and once more shortly after (see above).
/// A failure is logged loudly since a stale read lives at most one TTL.
pub async fn invalidate<F, Fut>(cache: &Cache, what: &'static str, invalidation: F)
where
    F: Fn(Cache) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), ts_cache::CacheError>> + Send + 'static,
{
    report(what, invalidation(cache.clone()).await);
    let cache = cache.clone();
    tokio::spawn(async move {
        tokio::time::sleep(REPEAT_INVALIDATION_AFTER).await;
        report(what, invalidation(cache).await);
    });
}

fn report(what: &str, result: Result<(), ts_cache::CacheError>) {
    if let Err(e) = result {
        tracing::error!(error = %e, what, "cache invalidation failed; stale reads until the TTL expires");
    }
}

fn json_response(json: String) -> Response {
    ([(http::header::CONTENT_TYPE, "application/json")], json).into_response()
}
