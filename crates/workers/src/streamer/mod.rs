//! The price streamer: follows on the CLOB market socket every token of an active
//! market or an open position, and writes each token's price to `ts:price:{token}`
//! (publishing the tick) whenever it changes. The token set is reloaded when the poller
//! stored markets or a position opened or closed; the socket turns the difference into
//! subscribe/unsubscribe operations, and subscribes to everything again on reconnect.

mod quotes;

use std::collections::BTreeSet;
use std::sync::Arc;

use polymarket::ws::{MarketSocket, SocketConfig, SocketEvent};
use tokio_util::sync::CancellationToken;

pub use quotes::{MAX_MID_SPREAD, Quotes};

use crate::context::Ctx;
use crate::status::PRICE_STREAMER;

pub(crate) async fn run(ctx: Arc<Ctx>, cancel: CancellationToken) {
    let config = SocketConfig {
        initial_backoff: ctx.tunables().socket_backoff,
        ..SocketConfig::new(&ctx.clob_ws_url)
    };
    let (socket, mut events) = MarketSocket::spawn(config);
    let mut quotes = Quotes::default();
    let mut tokens = 0;
    // Whether the last price write worked, so a Redis outage shows and then clears.
    let mut writing = true;
    reload_tokens(&ctx, &socket, &mut tokens).await;
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = ctx.tokens_changed.notified() => reload_tokens(&ctx, &socket, &mut tokens).await,
            event = events.recv() => match event {
                None => {
                    ctx.status.degraded(PRICE_STREAMER, "market socket task ended");
                    return;
                }
                Some(SocketEvent::Connected) => {
                    ctx.status.ok_with(PRICE_STREAMER, format!("connected, {tokens} tokens"));
                }
                Some(SocketEvent::Disconnected { error, .. }) => {
                    ctx.status.degraded(PRICE_STREAMER, format!("market socket: {error}"));
                }
                Some(SocketEvent::Market(event)) => {
                    for tick in quotes.apply(&event, chrono::Utc::now().timestamp_millis()) {
                        match ctx.cache.set_price(&tick).await {
                            Ok(()) if !writing => {
                                writing = true;
                                ctx.status.ok(PRICE_STREAMER);
                            }
                            Ok(()) => {}
                            Err(e) => {
                                tracing::warn!(token = %tick.token_id, error = %e, "price not written");
                                ctx.status.degraded(PRICE_STREAMER, format!("redis: {e}"));
                                writing = false;
                            }
                        }
                    }
                }
            },
        }
    }
}

/// Active markets' tokens and open positions' tokens, handed to the socket.
async fn reload_tokens(ctx: &Ctx, socket: &MarketSocket, count: &mut usize) {
    let (markets, positions) = (ctx.store.markets(), ctx.store.positions());
    let (markets, positions) = tokio::join!(markets.active_token_ids(), positions.open_token_ids());
    match (markets, positions) {
        (Ok(markets), Ok(positions)) => {
            let wanted: BTreeSet<String> = markets.into_iter().chain(positions).collect();
            *count = wanted.len();
            socket.set_assets(wanted);
        }
        (Err(e), _) | (_, Err(e)) => {
            // The next poll or position event tries again.
            tracing::warn!(error = %e, "could not load the tokens to stream");
            ctx.status
                .degraded(PRICE_STREAMER, format!("postgres: {e}"));
        }
    }
}
