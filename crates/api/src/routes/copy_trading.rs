use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use ts_core::ApiErrorBody;
use ts_core::copy::{Allocation, CreateAllocationRequest, Leader, OwnerQuery};
use ts_core::event::Event;
use ts_core::user::validate_telegram_id;
use uuid::Uuid;

use crate::cached::{cached_raw, invalidate};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, IdempotencyKey, request_hash};
use crate::routes::users::require_user;
use crate::state::AppState;
use ts_cache::keys as cache_keys;

/// Leaders with their stats: trades, volume, last trade, followers (cached).
#[utoipa::path(get, path = "/api/v1/copy-trading/leaders", tag = "copy-trading",
    responses((status = 200, body = Vec<Leader>)), security(("bearer" = [])))]
pub async fn leaders(State(state): State<AppState>) -> ApiResult<Response> {
    let key = cache_keys::leaders(&state.cache);
    cached_raw(&state, key, || async {
        Ok(state.store.trading().leaders().await?)
    })
    .await
}

/// Follows a leader: each of their buys is copied with this sizing.
#[utoipa::path(post, path = "/api/v1/copy-trading/allocations", tag = "copy-trading", request_body = CreateAllocationRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Allocation), (status = 200, body = Allocation, description = "replay"),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)),
    security(("bearer" = [])))]
pub async fn create_allocation(
    State(state): State<AppState>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(req): ApiJson<CreateAllocationRequest>,
) -> ApiResult<(StatusCode, Json<Allocation>)> {
    req.validate()?;
    let hash = request_hash("create_allocation", &req);
    if let Some(k) = &key
        && let Some(existing) = replay(&state, k, &hash).await?
    {
        return Ok((StatusCode::OK, Json(existing)));
    }
    require_user(&state, req.telegram_id).await?;
    let Some(allocation) = state
        .store
        .trading()
        .create_allocation(&req, key.as_deref(), &hash)
        .await?
    else {
        if let Some(k) = &key
            && let Some(existing) = replay(&state, k, &hash).await?
        {
            return Ok((StatusCode::OK, Json(existing)));
        }
        return Err(ApiError::Conflict(
            "already_following",
            format!(
                "user {} already follows {}; stop that allocation first",
                req.telegram_id, req.leader_address
            ),
        ));
    };
    {
        let telegram_id = allocation.telegram_id;
        invalidate(&state.cache, "allocations", move |c| async move {
            cache_keys::allocations_changed(&c, telegram_id).await
        })
        .await;
    }
    state
        .notify(Event::AllocationCreated {
            allocation: allocation.clone(),
        })
        .await;
    Ok((StatusCode::CREATED, Json(allocation)))
}

async fn replay(state: &AppState, key: &str, hash: &str) -> ApiResult<Option<Allocation>> {
    match state.store.trading().allocation_by_key(key).await? {
        Some((a, Some(stored))) if stored == hash => Ok(Some(a)),
        Some(_) => Err(ApiError::Conflict(
            "idempotency_conflict",
            "this Idempotency-Key was already used for a different request".into(),
        )),
        None => Ok(None),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AllocationsQuery {
    /// true: active only; false: stopped only; both when absent.
    pub active: Option<bool>,
}

/// A user's allocations, newest first (cached).
#[utoipa::path(get, path = "/api/v1/users/{telegram_id}/allocations", tag = "copy-trading",
    params(("telegram_id" = i64, Path), AllocationsQuery),
    responses((status = 200, body = Vec<Allocation>)), security(("bearer" = [])))]
pub async fn list_allocations(
    State(state): State<AppState>,
    ApiPath(telegram_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AllocationsQuery>,
) -> ApiResult<Response> {
    validate_telegram_id(telegram_id)?;
    let active_key = q
        .active
        .map_or("all", |a| if a { "active" } else { "stopped" });
    let key = cache_keys::allocations(&state.cache, telegram_id, active_key);
    cached_raw(&state, key, || async {
        Ok(state
            .store
            .trading()
            .allocations_for_user(telegram_id, q.active)
            .await?)
    })
    .await
}

/// Stops an allocation; only its owner may. Stopping a stopped one returns it unchanged.
#[utoipa::path(delete, path = "/api/v1/copy-trading/allocations/{id}", tag = "copy-trading",
    params(("id" = Uuid, Path), OwnerQuery),
    responses((status = 200, body = Allocation), (status = 404, body = ApiErrorBody)), security(("bearer" = [])))]
pub async fn stop_allocation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(owner): ApiQuery<OwnerQuery>,
) -> ApiResult<Json<Allocation>> {
    validate_telegram_id(owner.telegram_id)?;
    let current = match state.store.trading().allocation(id).await? {
        Some(a) if a.telegram_id == owner.telegram_id => a,
        _ => return Err(ApiError::not_found(format!("allocation {id}"))),
    };
    if !current.active {
        return Ok(Json(current));
    }
    let Some(stopped) = state.store.trading().stop_allocation(id).await? else {
        let now = state
            .store
            .trading()
            .allocation(id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("allocation {id}")))?;
        return Ok(Json(now));
    };
    {
        let telegram_id = stopped.telegram_id;
        invalidate(&state.cache, "allocations", move |c| async move {
            cache_keys::allocations_changed(&c, telegram_id).await
        })
        .await;
    }
    state
        .notify(Event::AllocationStopped {
            allocation: stopped.clone(),
        })
        .await;
    Ok(Json(stopped))
}
