//! The one path by which leader trades enter the system, shared by the indexer
//! webhook and the workers' Data API poll: store once per (transaction hash, asset),
//! then append once to the leader-trades stream with the current trace context.
use ts_core::copy::{IncomingTrade, LeaderTradeMessage, WebhookReceipt};
use ts_store::trading::TradeSource;

use crate::cached::invalidate;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use ts_cache::keys as cache_keys;

pub const MAX_TRADES_PER_CALL: usize = 500;

pub async fn ingest(
    state: &AppState,
    trades: Vec<IncomingTrade>,
    source: TradeSource,
) -> ApiResult<WebhookReceipt> {
    if trades.is_empty() {
        return Err(ApiError::Validation("no trades in the body".into()));
    }
    if trades.len() > MAX_TRADES_PER_CALL {
        return Err(ApiError::Validation(format!(
            "at most {MAX_TRADES_PER_CALL} trades per call"
        )));
    }
    // Validate all before storing any, so a bad batch stores nothing.
    for (i, t) in trades.iter().enumerate() {
        t.validate()
            .map_err(|e| ApiError::Validation(format!("trades[{i}]: {e}")))?;
    }
    let mut receipt = WebhookReceipt {
        received: trades.len(),
        stored: 0,
        duplicates: 0,
    };
    for t in &trades {
        let stored = state.store.trading().insert_trade(t, source).await?;
        if stored.is_new {
            receipt.stored += 1;
        } else {
            receipt.duplicates += 1;
        }
        if !stored.streamed {
            let msg = LeaderTradeMessage {
                trade: stored.trade.clone(),
                traceparent: ts_telemetry::current_traceparent(),
            };
            // On failure the trade stays unstreamed, so the sender's retry appends it.
            state.cache.append_leader_trade(&msg).await?;
            state.store.trading().mark_streamed(stored.trade.id).await?;
            tracing::info!(trade = %stored.trade.id, leader = %stored.trade.leader_address,
                tx = %stored.trade.transaction_hash, "leader trade streamed");
        }
    }
    if receipt.stored > 0 {
        invalidate(&state.cache, "trades", |c| async move {
            cache_keys::trades_changed(&c).await
        })
        .await;
    }
    Ok(receipt)
}
