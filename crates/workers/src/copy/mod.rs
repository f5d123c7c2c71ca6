//! The copy-trading listener: reads `ts:stream:leader-trades` in the consumer group
//! `copy-trading`, turns each leader trade into follower positions through the API, and
//! acknowledges an entry only once every active allocation of the leader is handled
//! (opened, or skipped with the reason recorded). Entries left pending, by a consumer
//! that crashed or by a copy that must be retried, are taken over with XAUTOCLAIM once
//! idle for `claim_idle`. Each entry is processed in the trace of the request that
//! stored the trade (its `traceparent`), so the follower opens join that trace.

mod process;

use std::sync::Arc;
use std::time::Duration;

use polymarket::Backoff;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use ts_cache::StreamEntry;
use ts_cache::keys::COPY_TRADING_GROUP;
use ts_core::copy::LeaderTradeMessage;

use process::{Handled, process_trade};

use crate::context::Ctx;
use crate::status::COPY_LISTENER;

/// Entries per read.
const BATCH: usize = 16;

pub(crate) async fn run(ctx: Arc<Ctx>, cancel: CancellationToken) {
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));
    loop {
        match listen(&ctx, &cancel).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, "copy-trading listener error; resuming");
                ctx.status.degraded(COPY_LISTENER, e);
            }
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(backoff.next_delay()) => {}
        }
    }
}

async fn listen(ctx: &Ctx, cancel: &CancellationToken) -> Result<(), ts_cache::CacheError> {
    let t = ctx.tunables();
    let stream = ctx.cache.leader_trades_stream();
    let consumer = t.consumer_name.as_str();
    ctx.cache.ensure_group(&stream, COPY_TRADING_GROUP).await?;
    ctx.status
        .ok_with(COPY_LISTENER, format!("consumer {consumer}"));
    // Look for abandoned entries at once: a restart is when they are most likely.
    let mut next_claim = Instant::now();
    loop {
        let mut entries = Vec::new();
        if Instant::now() >= next_claim {
            entries = ctx
                .cache
                .autoclaim(&stream, COPY_TRADING_GROUP, consumer, t.claim_idle, BATCH)
                .await?;
            if !entries.is_empty() {
                tracing::info!(count = entries.len(), "took over pending leader trades");
            }
            next_claim = Instant::now() + t.claim_every;
        }
        if entries.is_empty() {
            let block = t
                .read_block
                .min(next_claim.saturating_duration_since(Instant::now()));
            entries = tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                read = ctx.cache.read_group(&stream, COPY_TRADING_GROUP, consumer, BATCH, block) => read?,
            };
        }
        for entry in entries {
            if handle(ctx, &entry).await == Handled::Done {
                if let Some(hook) = &t.before_ack {
                    hook().await;
                }
                ctx.cache
                    .ack(&stream, COPY_TRADING_GROUP, std::slice::from_ref(&entry.id))
                    .await?;
            }
        }
        ctx.status.ok(COPY_LISTENER);
    }
}

/// One entry, inside a span continuing the trace the entry carries.
async fn handle(ctx: &Ctx, entry: &StreamEntry) -> Handled {
    let msg: LeaderTradeMessage = match serde_json::from_str(&entry.payload) {
        Ok(msg) => msg,
        Err(e) => {
            // Retrying cannot fix it: acknowledge and move on.
            tracing::warn!(id = %entry.id, error = %e, "undecodable leader-trade entry dropped");
            return Handled::Done;
        }
    };
    let span = tracing::info_span!(
        "copy_trading.process",
        otel.name = "copy_trading.process",
        stream.entry = %entry.id,
        trade = %msg.trade.id,
        leader = %msg.trade.leader_address,
        outcome = tracing::field::Empty,
    );
    if let Some(traceparent) = entry.traceparent.as_deref().or(msg.traceparent.as_deref()) {
        ts_telemetry::set_parent(&span, ts_telemetry::context_from_traceparent(traceparent));
    }
    let handled = process_trade(ctx, &msg.trade)
        .instrument(span.clone())
        .await;
    span.record("outcome", format!("{handled:?}"));
    handled
}
