use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ts_core::ApiErrorBody;
use ts_core::user::{UpsertUser, User, validate_telegram_id};

use crate::cached::{cached, invalidate};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use ts_cache::keys as cache_keys;

/// Creates or updates a user by `telegram_id`.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = UpsertUser,
    responses((status = 201, body = User, description = "created"), (status = 200, body = User, description = "updated"),
              (status = 422, body = ApiErrorBody)), security(("bearer" = [])))]
pub async fn upsert_user(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<UpsertUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    req.validate()?;
    let (user, created) = state.store.users().upsert(&req).await?;
    {
        let telegram_id = user.telegram_id;
        invalidate(&state.cache, "user", move |c| async move {
            c.delete(&[cache_keys::user(&c, telegram_id)])
                .await
                .map(drop)
        })
        .await;
    }
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(user),
    ))
}

/// One user.
#[utoipa::path(get, path = "/api/v1/users/{telegram_id}", tag = "users",
    params(("telegram_id" = i64, Path)), responses((status = 200, body = User), (status = 404, body = ApiErrorBody)),
    security(("bearer" = [])))]
pub async fn get_user(
    State(state): State<AppState>,
    ApiPath(telegram_id): ApiPath<i64>,
) -> ApiResult<Json<User>> {
    validate_telegram_id(telegram_id)?;
    let key = cache_keys::user(&state.cache, telegram_id);
    let user = cached(&state, key, || async {
        state
            .store
            .users()
            .get(telegram_id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("user {telegram_id}")))
    })
    .await?;
    Ok(Json(user))
}

/// 404 unless the user exists; writes on behalf of unknown users are refused.
pub async fn require_user(state: &AppState, telegram_id: i64) -> ApiResult<()> {
    validate_telegram_id(telegram_id)?;
    match state.store.users().get(telegram_id).await? {
        Some(_) => Ok(()),
        None => Err(ApiError::NotFound(format!(
            "user {telegram_id} not found; register with POST /api/v1/users first"
        ))),
    }
}
