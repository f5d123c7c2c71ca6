//! The TP/SL monitor: an in-memory [`TpSlIndex`] of open positions with thresholds,
//! loaded from the store and kept current from the API's event stream; every price tick
//! (Redis pub/sub) looks up the positions it crosses and hands them to the closer.
//!
//! Each workers replica runs one monitor; were there several, the API still closes a
//! position once (the second request gets 409 `position_closed`).

mod closer;
mod index;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use futures::StreamExt;
use polymarket::Backoff;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use ts_core::event::Event;
use ts_core::market::PriceTick;

pub use index::{Armed, CloseOrder, TpSlIndex};

use crate::context::Ctx;
use crate::status::TPSL_MONITOR;
use closer::Settled;

pub(crate) async fn run(ctx: Arc<Ctx>, cancel: CancellationToken) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
    loop {
        match session(&ctx, &cancel).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = format!("{e:#}"), "TP/SL monitor restarting");
                ctx.status.degraded(TPSL_MONITOR, format!("{e:#}"));
            }
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(backoff.next_delay()) => {}
        }
    }
}

/// Subscribes first, then loads, so nothing that happens in between is missed; any
/// broken feed restarts the whole session from a fresh load.
async fn session(ctx: &Ctx, cancel: &CancellationToken) -> anyhow::Result<()> {
    let mut ticks = ctx
        .cache
        .subscribe(&ctx.cache.ticks_channel())
        .await
        .context("subscribing to ticks")?;
    let mut events = Box::pin(
        ctx.api
            .events(None)
            .await
            .context("opening the API event stream")?,
    );

    let (orders, orders_rx) = mpsc::unbounded_channel();
    let (settled_tx, mut settled) = mpsc::unbounded_channel();
    // The closer stops when `orders` drops with this session.
    tokio::spawn(closer::run(
        ctx.api.clone(),
        ctx.tunables().close_concurrency,
        orders_rx,
        settled_tx,
    ));

    let mut index = TpSlIndex::default();
    for p in ctx.store.positions().open_with_tpsl().await? {
        send_all(&orders, index.upsert(&p));
    }
    // Prices that moved while no monitor was watching.
    let tokens = index.tokens();
    for tick in ctx.cache.get_prices(&tokens).await?.into_iter().flatten() {
        send_all(&orders, index.on_tick(&tick.token_id, tick.price));
    }
    ctx.status
        .ok_with(TPSL_MONITOR, format!("{} positions armed", index.len()));

    loop {
        tokio::select! {
            () = cancel.cancelled() => return Ok(()),
            tick = ticks.next() => {
                let tick = tick.context("the tick subscription ended")?;
                send_all(&orders, on_tick_message(&mut index, &tick));
            }
            event = events.next() => {
                match event.context("the API event stream ended")? {
                    Ok(envelope) => {
                        send_all(&orders, apply(ctx, &mut index, &envelope.event));
                        ctx.status.ok_with(TPSL_MONITOR, format!("{} positions armed", index.len()));
                    }
                    Err(e) if e.is_unavailable() => return Err(e).context("API event stream"),
                    Err(e) => tracing::warn!(error = %e, "skipping an unreadable event"),
                }
            }
            Some(outcome) = settled.recv() => match outcome {
                Settled::Done(id) => index.remove(id),
                Settled::Failed(position) => index.rearm(position),
            },
        }
    }
}

/// The hot path: one tick message to the closes it triggers.
pub fn on_tick_message(index: &mut TpSlIndex, json: &str) -> Vec<CloseOrder> {
    match serde_json::from_str::<PriceTick>(json) {
        Ok(tick) => index.on_tick(&tick.token_id, tick.price),
        Err(e) => {
            tracing::warn!(error = %e, "undecodable tick");
            Vec::new()
        }
    }
}

/// Keeps the index current; new or gone positions may change what the streamer follows.
fn apply(ctx: &Ctx, index: &mut TpSlIndex, event: &Event) -> Option<CloseOrder> {
    match event {
        Event::PositionOpened { position } | Event::CopyTradeExecuted { position, .. } => {
            ctx.tokens_changed.notify_one();
            index.upsert(position)
        }
        Event::PositionUpdated { position } => index.upsert(position),
        Event::PositionClosed { position } | Event::TpSlHit { position } => {
            ctx.tokens_changed.notify_one();
            index.remove(position.id);
            None
        }
        Event::AllocationCreated { .. } | Event::AllocationStopped { .. } => None,
    }
}

fn send_all(
    orders: &mpsc::UnboundedSender<CloseOrder>,
    batch: impl IntoIterator<Item = CloseOrder>,
) {
    for order in batch {
        tracing::info!(position = %order.position.id, reason = %order.reason, price = %order.price, "TP/SL crossed");
        // The closer lives as long as this session, so the send cannot fail.
        let _ = orders.send(order);
    }
}
