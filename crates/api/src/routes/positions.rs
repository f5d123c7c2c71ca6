use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use ts_core::ApiErrorBody;
use ts_core::event::Event;
use ts_core::position::{
    ClosePositionRequest, CloseReason, OpenPositionRequest, Position, PositionSource,
    PositionStatus, UpdateTpSlRequest, pnl, shares_for, validate_tpsl,
};
use ts_core::user::validate_telegram_id;
use ts_store::positions::NewPosition;
use uuid::Uuid;

use crate::cached::{cached, invalidate};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery, IdempotencyKey, request_hash};
use crate::routes::markets::load_market;
use crate::routes::users::require_user;
use crate::state::AppState;
use ts_cache::keys as cache_keys;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PositionsQuery {
    /// `open` or `closed`; both when absent.
    pub status: Option<PositionStatus>,
}

/// A user's positions, newest first; open ones carry the current price and unrealised P&L.
#[utoipa::path(get, path = "/api/v1/users/{telegram_id}/positions", tag = "positions",
    params(("telegram_id" = i64, Path), PositionsQuery),
    responses((status = 200, body = Vec<Position>), (status = 400, body = ApiErrorBody)), security(("bearer" = [])))]
pub async fn list_positions(
    State(state): State<AppState>,
    ApiPath(telegram_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PositionsQuery>,
) -> ApiResult<Json<Vec<Position>>> {
    validate_telegram_id(telegram_id)?;
    let status_key = q.status.map_or("all", PositionStatus::as_str);
    let key = cache_keys::positions(&state.cache, telegram_id, status_key);
    let positions: Vec<Position> = cached(&state, key, || async {
        Ok(state
            .store
            .positions()
            .list_for_user(telegram_id, q.status)
            .await?)
    })
    .await?;
    Ok(Json(mark_all(&state, positions).await))
}

/// Adds current prices and unrealised P&L to open positions (one MGET).
async fn mark_all(state: &AppState, positions: Vec<Position>) -> Vec<Position> {
    let tokens: Vec<String> = positions.iter().map(|p| p.token_id.clone()).collect();
    let prices = state.cache.get_prices(&tokens).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not read prices for unrealised P&L");
        vec![None; tokens.len()]
    });
    positions
        .into_iter()
        .zip(prices)
        .map(|(p, t)| p.with_mark(t.map(|t| t.price)))
        .collect()
}

/// The current fill price of a token in paper mode: the streamer's latest tick.
async fn fill_price(state: &AppState, token_id: &str) -> ApiResult<Decimal> {
    match state.cache.get_price(token_id).await? {
        Some(t) => Ok(t.price),
        None => Err(ApiError::Conflict(
            "no_price",
            format!(
                "no price is known yet for outcome token {token_id}; try again once market data arrives"
            ),
        )),
    }
}

/// Opens a position at the current price (paper trading).
#[utoipa::path(post, path = "/api/v1/positions", tag = "positions", request_body = OpenPositionRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "retries with the same key open one position")),
    responses((status = 201, body = Position), (status = 200, body = Position, description = "replay of an earlier request"),
        (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody), (status = 422, body = ApiErrorBody)),
    security(("bearer" = [])))]
pub async fn open_position(
    State(state): State<AppState>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(req): ApiJson<OpenPositionRequest>,
) -> ApiResult<(StatusCode, Json<Position>)> {
    req.validate()?;
    let hash = request_hash("open_position", &req);
    if let Some(k) = &key
        && let Some(existing) = replay(&state, k, &hash).await?
    {
        return Ok((StatusCode::OK, Json(existing)));
    }
    require_user(&state, req.telegram_id).await?;
    let market = load_market(&state, &req.market_id).await?;
    if !market.active || market.closed {
        return Err(ApiError::Conflict(
            "market_closed",
            format!("market {} is not open for trading", market.id),
        ));
    }
    let outcome = market.outcome(&req.outcome).ok_or_else(|| {
        let names: Vec<&str> = market.outcomes.iter().map(|o| o.name.as_str()).collect();
        ApiError::Validation(format!(
            "outcome '{}' is not one of: {}",
            req.outcome,
            names.join(", ")
        ))
    })?;
    if req.source == PositionSource::Copy
        && (req.allocation_id.is_none() || req.leader_trade_id.is_none())
    {
        return Err(ApiError::Validation(
            "a copy position needs allocation_id and leader_trade_id".into(),
        ));
    }
    if let Some(allocation_id) = req.allocation_id {
        check_allocation(&state, allocation_id, req.telegram_id).await?;
        if let Some(trade_id) = req.leader_trade_id
            && let Some(existing) = state
                .store
                .positions()
                .by_copy(allocation_id, trade_id)
                .await?
        {
            return Ok((StatusCode::OK, Json(existing)));
        }
    }
    let price = fill_price(&state, &outcome.token_id).await?;
    if let Some(max) = req.max_price
        && price > max
    {
        return Err(ApiError::Conflict(
            "price_moved",
            format!("price {price} is above the accepted maximum {max}"),
        ));
    }
    validate_tpsl(price, req.take_profit, req.stop_loss)?;
    let new = NewPosition {
        id: Uuid::new_v4(),
        telegram_id: req.telegram_id,
        market_id: market.id.clone(),
        outcome: outcome.name.clone(),
        token_id: outcome.token_id.clone(),
        amount: req.amount,
        size: shares_for(req.amount, price),
        entry_price: price,
        take_profit: req.take_profit,
        stop_loss: req.stop_loss,
        source: req.source,
        allocation_id: req.allocation_id,
        leader_trade_id: req.leader_trade_id,
        idempotency_key: key.clone(),
        request_hash: Some(hash.clone()),
    };
    let position = match state.store.positions().insert(&new).await? {
        Some(p) => p,
        // A concurrent request with the same key or copying the same trade won the race.
        None => {
            let existing = match (&key, req.allocation_id, req.leader_trade_id) {
                (Some(k), _, _) => replay(&state, k, &hash).await?,
                (None, Some(a), Some(t)) => state.store.positions().by_copy(a, t).await?,
                _ => None,
            };
            let existing = existing.ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("duplicate position vanished"))
            })?;
            return Ok((StatusCode::OK, Json(existing)));
        }
    };
    {
        let telegram_id = position.telegram_id;
        invalidate(&state.cache, "positions", move |c| async move {
            cache_keys::positions_changed(&c, telegram_id).await
        })
        .await;
    }
    let event = match (position.source, position.leader_trade_id) {
        (PositionSource::Copy, Some(trade_id)) => {
            match state.store.trading().trade(trade_id).await? {
                Some(trade) => Event::CopyTradeExecuted {
                    position: position.clone(),
                    trade,
                },
                None => Event::PositionOpened {
                    position: position.clone(),
                },
            }
        }
        _ => Event::PositionOpened {
            position: position.clone(),
        },
    };
    state.notify(event).await;
    tracing::info!(position = %position.id, telegram_id = position.telegram_id, %price, "position opened");
    Ok((StatusCode::CREATED, Json(position.with_mark(Some(price)))))
}

/// The position stored under an idempotency key, or 409 when the key was used for another request.
async fn replay(state: &AppState, key: &str, hash: &str) -> ApiResult<Option<Position>> {
    match state.store.positions().by_idempotency_key(key).await? {
        Some((p, Some(stored))) if stored == hash => Ok(Some(p)),
        Some(_) => Err(ApiError::Conflict(
            "idempotency_conflict",
            "this Idempotency-Key was already used for a different request".into(),
        )),
        None => Ok(None),
    }
}

async fn check_allocation(
    state: &AppState,
    allocation_id: Uuid,
    telegram_id: i64,
) -> ApiResult<()> {
    match state.store.trading().allocation(allocation_id).await? {
        Some(a) if a.telegram_id == telegram_id && a.active => Ok(()),
        Some(a) if a.telegram_id == telegram_id => Err(ApiError::Conflict(
            "allocation_stopped",
            format!("allocation {allocation_id} is stopped"),
        )),
        _ => Err(ApiError::not_found(format!("allocation {allocation_id}"))),
    }
}

/// The position if it belongs to `telegram_id`; another user's position is reported
/// as not found, so ids cannot be probed.
async fn owned_position(state: &AppState, id: Uuid, telegram_id: i64) -> ApiResult<Position> {
    validate_telegram_id(telegram_id)?;
    match state.store.positions().get(id).await? {
        Some(p) if p.telegram_id == telegram_id => Ok(p),
        _ => Err(ApiError::not_found(format!("position {id}"))),
    }
}

/// Sets or clears take-profit and stop-loss of an open position.
#[utoipa::path(patch, path = "/api/v1/positions/{id}", tag = "positions", request_body = UpdateTpSlRequest,
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Position), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
        (status = 422, body = ApiErrorBody)), security(("bearer" = [])))]
pub async fn update_tpsl(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateTpSlRequest>,
) -> ApiResult<Json<Position>> {
    let current = owned_position(&state, id, req.telegram_id).await?;
    if current.status == PositionStatus::Closed {
        return Err(ApiError::Conflict(
            "position_closed",
            format!("position {id} is already closed"),
        ));
    }
    let take_profit = req.take_profit.unwrap_or(current.take_profit);
    let stop_loss = req.stop_loss.unwrap_or(current.stop_loss);
    validate_tpsl(current.entry_price, take_profit, stop_loss)?;
    let updated = state
        .store
        .positions()
        .set_tpsl(id, take_profit, stop_loss)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(
                "position_closed",
                format!("position {id} is already closed"),
            )
        })?;
    {
        let telegram_id = updated.telegram_id;
        invalidate(&state.cache, "positions", move |c| async move {
            cache_keys::positions_changed(&c, telegram_id).await
        })
        .await;
    }
    state
        .notify(Event::PositionUpdated {
            position: updated.clone(),
        })
        .await;
    Ok(Json(mark_all(&state, vec![updated]).await.remove(0)))
}

/// Closes a position at the current price and records the realised P&L.
#[utoipa::path(post, path = "/api/v1/positions/{id}/close", tag = "positions", request_body = ClosePositionRequest,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = Position), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)),
    security(("bearer" = [])))]
pub async fn close_position(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(req): ApiJson<ClosePositionRequest>,
) -> ApiResult<Json<Position>> {
    let current = owned_position(&state, id, req.telegram_id).await?;
    if current.status == PositionStatus::Closed {
        return already_closed(&state, current, key.as_deref()).await;
    }
    let price = fill_price(&state, &current.token_id).await?;
    let realized = pnl(current.size, current.entry_price, price);
    let Some(closed) = state
        .store
        .positions()
        .close(id, price, realized, req.reason, key.as_deref())
        .await?
    else {
        // Another request closed it between our read and our write.
        let current = owned_position(&state, id, req.telegram_id).await?;
        return already_closed(&state, current, key.as_deref()).await;
    };
    {
        let telegram_id = closed.telegram_id;
        invalidate(&state.cache, "positions", move |c| async move {
            cache_keys::positions_changed(&c, telegram_id).await
        })
        .await;
    }
    let event = match closed.close_reason {
        Some(CloseReason::TakeProfit | CloseReason::StopLoss) => Event::TpSlHit {
            position: closed.clone(),
        },
        _ => Event::PositionClosed {
            position: closed.clone(),
        },
    };
    state.notify(event).await;
    tracing::info!(position = %id, reason = %req.reason, %price, %realized, "position closed");
    Ok(Json(closed))
}

/// A retry of the close that succeeded returns that result; any other close is a conflict.
async fn already_closed(
    state: &AppState,
    position: Position,
    key: Option<&str>,
) -> ApiResult<Json<Position>> {
    let stored = state.store.positions().close_key(position.id).await?;
    match (key, stored) {
        (Some(k), Some(s)) if k == s => Ok(Json(position)),
        _ => Err(ApiError::Conflict(
            "position_closed",
            format!("position {} is already closed", position.id),
        )),
    }
}
