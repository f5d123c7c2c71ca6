//! Notifications: follows the API's `/api/v1/events` stream and messages the user an
//! event is about (private chat id = user id). When the stream ends or breaks it
//! reconnects with backoff, resuming after the last event seen (`Last-Event-ID`).

use std::time::Duration;

use api_client::{ApiClient, ApiError};
use futures::StreamExt;
use teloxide::prelude::*;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;
use ts_core::event::{Event, EventEnvelope};
use ts_core::position::{CloseReason, Position};

use crate::backoff::{Backoff, pause};
use crate::context::OwnEvents;
use crate::format;
use crate::screen::Screen;
use crate::telegram;

pub async fn follow(
    api: ApiClient,
    bot: Bot,
    own: OwnEvents,
    backoff: Backoff,
    stop: CancellationToken,
) {
    let mut last_id: Option<String> = None;
    let mut delay = backoff.initial;
    loop {
        let connected = tokio::select! {
            _ = stop.cancelled() => return,
            c = api.events(last_id.as_deref()) => c,
        };
        match connected {
            Ok(stream) => {
                tracing::info!(resume_after = ?last_id, "following the API's events");
                delay = backoff.initial;
                let mut stream = std::pin::pin!(stream);
                loop {
                    let item = tokio::select! {
                        _ = stop.cancelled() => return,
                        item = stream.next() => item,
                    };
                    match item {
                        Some(Ok(envelope)) => {
                            last_id = Some(envelope.id.clone());
                            deliver(&bot, &own, envelope).await;
                        }
                        Some(Err(ApiError::Decode(detail))) => {
                            tracing::warn!(%detail, "skipping an event that could not be read");
                        }
                        Some(Err(e)) => {
                            tracing::warn!(error = %e, "the events stream broke");
                            break;
                        }
                        None => {
                            tracing::info!("the events stream ended");
                            break;
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(
                error = %e,
                retry_in_ms = delay.as_millis() as u64,
                "cannot follow the API's events; retrying"
            ),
        }
        if !pause(delay, &stop).await {
            return;
        }
        delay = backoff.next(delay);
    }
}

/// Sends the event's message, in a span joined to the trace that caused the event.
async fn deliver(bot: &Bot, own: &OwnEvents, envelope: EventEnvelope) {
    let span = tracing::info_span!(
        "notify",
        event.id = %envelope.id,
        event.kind = envelope.event.kind(),
        telegram.user_id = envelope.event.telegram_id(),
    );
    if let Some(parent) = &envelope.traceparent {
        ts_telemetry::set_parent(&span, ts_telemetry::context_from_traceparent(parent));
    }
    async {
        let Some(text) = message(own, &envelope.event).await else {
            return;
        };
        let chat = ChatId(envelope.event.telegram_id());
        if let Err(e) = telegram::send(bot, chat, Screen::text(text)).await {
            // A user who blocked the bot must not stop everyone else's notifications.
            tracing::warn!(error = %e, "could not deliver a notification");
        }
    }
    .instrument(span)
    .await
}

/// The text for an event, or `None` when the user already knows (their own action).
pub async fn message(own: &OwnEvents, event: &Event) -> Option<String> {
    match event {
        Event::PositionOpened { position }
            if !own.is_own(position.telegram_id, position.id).await =>
        {
            Some(format!(
                "📥 Position opened: {} of {} at {}.",
                format::usd(position.amount),
                subject(position),
                format::cents(position.entry_price)
            ))
        }
        Event::PositionClosed { position }
            if !own.is_own(position.telegram_id, position.id).await =>
        {
            Some(format!(
                "📤 Position closed: {}{}",
                subject(position),
                result(position)
            ))
        }
        Event::TpSlHit { position } => {
            let what = match position.close_reason {
                Some(CloseReason::StopLoss) => "🛑 Stop-loss hit",
                _ => "🎯 Take-profit hit",
            };
            Some(format!(
                "{what}: {} closed{}",
                subject(position),
                result(position)
            ))
        }
        Event::CopyTradeExecuted { position, trade } => Some(format!(
            "👥 Copy trade executed: bought {} of {} at {}, copying {}.",
            format::usd(position.amount),
            subject(position),
            format::cents(position.entry_price),
            format::short_address(trade.leader_address.as_str())
        )),
        _ => None,
    }
}

fn subject(p: &Position) -> String {
    format!("{} in “{}”", p.outcome, p.market_question)
}

/// ` at 60¢. Realised P&L +$2.00.`
fn result(p: &Position) -> String {
    let exit = p
        .exit_price
        .map(|e| format!(" at {}", format::cents(e)))
        .unwrap_or_default();
    let pnl = p
        .realized_pnl
        .map(|r| format!(" Realised P&L {}.", format::pnl(r)))
        .unwrap_or_default();
    format!("{exit}.{pnl}")
}

/// Default reconnect pacing of the events stream.
pub const BACKOFF: Backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(10));
