//! One leader trade, every follower: size each copy from its allocation, open it through
//! the API with `Idempotency-Key: {trade}:{allocation}` and the slippage guard as
//! `max_price`, and record why a copy is skipped.
//!
//! What is retried rather than skipped: the API or Postgres unreachable, and `no_price`
//! or an unknown market (the streamer or poller has not caught up yet) for as long as
//! the trade is younger than `copy_give_up_after`; after that those are skipped too.

use chrono::Utc;
use futures::StreamExt;
use ts_core::copy::{Allocation, LeaderTrade, copy_amount, max_copy_price};
use ts_core::position::{OpenPositionRequest, PositionSource};

use crate::context::Ctx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handled {
    /// Every allocation is done: acknowledge.
    Done,
    /// Something must be tried again later: leave the entry pending.
    Retry,
}

pub(crate) async fn process_trade(ctx: &Ctx, trade: &LeaderTrade) -> Handled {
    let allocations = match ctx
        .store
        .trading()
        .active_allocations_for(&trade.leader_address)
        .await
    {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "could not load allocations");
            return Handled::Retry;
        }
    };
    if allocations.is_empty() {
        return Handled::Done;
    }
    let market_id = match ctx.store.markets().market_id_of_token(&trade.asset).await {
        Ok(Some(id)) => id,
        Ok(None) if given_up(ctx, trade) => {
            let reason = format!("market of outcome token {} is unknown", trade.asset);
            return all_done(
                futures::future::join_all(allocations.iter().map(|a| skip(ctx, a, trade, &reason)))
                    .await,
            );
        }
        Ok(None) => {
            tracing::info!(token = %trade.asset, "market not stored yet; will retry");
            return Handled::Retry;
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not look up the market");
            return Handled::Retry;
        }
    };
    // Built up front: a closure handing out borrowing futures trips the Send check.
    let copies: Vec<_> = allocations
        .iter()
        .map(|a| copy_one(ctx, trade, &market_id, a))
        .collect();
    let results: Vec<Handled> = futures::stream::iter(copies)
        .buffer_unordered(ctx.tunables().copy_concurrency.max(1))
        .collect()
        .await;
    all_done(results)
}

fn all_done(results: Vec<Handled>) -> Handled {
    if results.iter().all(|h| *h == Handled::Done) {
        Handled::Done
    } else {
        Handled::Retry
    }
}

async fn copy_one(ctx: &Ctx, trade: &LeaderTrade, market_id: &str, alloc: &Allocation) -> Handled {
    let amount = match copy_amount(alloc, trade) {
        Ok(amount) => amount,
        Err(reason) => return skip(ctx, alloc, trade, &reason).await,
    };
    let request = OpenPositionRequest {
        telegram_id: alloc.telegram_id,
        market_id: market_id.to_owned(),
        // The leader's own outcome token, whichever outcome it is.
        outcome: trade.asset.clone(),
        amount,
        take_profit: None,
        stop_loss: None,
        source: PositionSource::Copy,
        allocation_id: Some(alloc.id),
        leader_trade_id: Some(trade.id),
        max_price: Some(max_copy_price(alloc, trade.price)),
    };
    let key = format!("{}:{}", trade.id, alloc.id);
    match ctx.api.open_position(&request, Some(&key)).await {
        Ok(position) => {
            tracing::info!(position = %position.id, follower = alloc.telegram_id, %amount, "trade copied");
            Handled::Done
        }
        Err(e) if e.code() == Some("no_price") && !given_up(ctx, trade) => {
            tracing::info!(token = %trade.asset, "no price yet; will retry");
            Handled::Retry
        }
        // A 4xx the API means: the guard tripped, the market closed, the follower or the
        // allocation is gone... none of which a retry changes.
        Err(e)
            if e.status()
                .is_some_and(|s| (400..500).contains(&s) && s != 429) =>
        {
            let reason = match &e {
                api_client::ApiError::Api { code, message, .. } => format!("{code}: {message}"),
                other => other.to_string(),
            };
            skip(ctx, alloc, trade, &reason).await
        }
        Err(e) => {
            tracing::warn!(error = %e, follower = alloc.telegram_id, "copy failed; will retry");
            Handled::Retry
        }
    }
}

async fn skip(ctx: &Ctx, alloc: &Allocation, trade: &LeaderTrade, reason: &str) -> Handled {
    tracing::info!(allocation = %alloc.id, follower = alloc.telegram_id, reason, "copy skipped");
    match ctx
        .store
        .trading()
        .record_skip(alloc.id, trade.id, reason)
        .await
    {
        Ok(()) => Handled::Done,
        Err(e) => {
            tracing::warn!(error = %e, "could not record the skip");
            Handled::Retry
        }
    }
}

fn given_up(ctx: &Ctx, trade: &LeaderTrade) -> bool {
    let age = Utc::now() - trade.received_at;
    age.to_std()
        .is_ok_and(|age| age >= ctx.tunables().copy_give_up_after)
}
