//! Every `POLL_INTERVAL_SECS`: page all active markets from Gamma, upsert them, drop the
//! cached market lists and recommendations, and tell the streamer the token set may
//! have grown. A failed poll leaves the worker degraded until the next one succeeds.

use std::sync::Arc;

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use ts_core::market::MarketUpsert;

use crate::context::Ctx;
use crate::status::POLLER;

/// Markets per transaction: one poll stores thousands, in bounded transactions.
const UPSERT_CHUNK: usize = 500;

pub(crate) async fn run(ctx: Arc<Ctx>, cancel: CancellationToken) {
    let mut every = tokio::time::interval(ctx.tunables().poll_interval);
    every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = every.tick() => {}
        }
        match poll_once(&ctx).await {
            Ok(stored) => {
                tracing::info!(markets = stored, "markets polled");
                ctx.status
                    .ok_with(POLLER, format!("{stored} active markets stored"));
            }
            Err(e) => {
                tracing::warn!(
                    error = format!("{e:#}"),
                    "markets poll failed; retrying next interval"
                );
                ctx.status.degraded(POLLER, format!("{e:#}"));
            }
        }
    }
}

/// One poll; returns how many markets were stored.
pub(crate) async fn poll_once(ctx: &Ctx) -> anyhow::Result<usize> {
    let markets = ctx.gamma.active_markets().await?;
    let upserts: Vec<MarketUpsert> = markets.iter().filter_map(|m| m.to_upsert()).collect();
    for chunk in upserts.chunks(UPSERT_CHUNK) {
        ctx.store.markets().upsert_many(chunk).await?;
    }
    ts_cache::keys::markets_changed(&ctx.cache).await?;
    ctx.tokens_changed.notify_one();
    Ok(upserts.len())
}
