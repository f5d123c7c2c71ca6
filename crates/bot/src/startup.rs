//! Start-up waits: the bot needs the API and the Bot API, and waits for each with
//! backoff (logging that it waits) rather than failing while they come up.

use api_client::ApiClient;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::Me;
use tokio_util::sync::CancellationToken;

use crate::backoff::{Backoff, pause};

/// Returns once the API's readiness check passes; `None` if stopped first.
pub async fn wait_for_api(
    api: &ApiClient,
    backoff: Backoff,
    stop: &CancellationToken,
) -> Option<()> {
    let mut delay = backoff.initial;
    let mut attempt: u32 = 1;
    loop {
        match api.ready().await {
            Ok(()) => {
                tracing::info!(api_url = %api.base_url(), "the API is ready");
                return Some(());
            }
            Err(e) => tracing::warn!(
                api_url = %api.base_url(),
                attempt,
                retry_in_ms = delay.as_millis() as u64,
                error = %e,
                "waiting for the API"
            ),
        }
        if !pause(delay, stop).await {
            return None;
        }
        delay = backoff.next(delay);
        attempt += 1;
    }
}

/// `getMe`, retried while Telegram is unreachable; a refusal (bad token) is fatal.
pub async fn wait_for_telegram(
    bot: &Bot,
    backoff: Backoff,
    stop: &CancellationToken,
) -> anyhow::Result<Option<Me>> {
    let mut delay = backoff.initial;
    let mut attempt: u32 = 1;
    loop {
        match bot.get_me().await {
            Ok(me) => {
                tracing::info!(
                    bot_username = me.username(),
                    "the Telegram Bot API accepted getMe"
                );
                return Ok(Some(me));
            }
            Err(RequestError::Api(e)) => {
                anyhow::bail!("the Telegram Bot API refused getMe ({e}); check TELEGRAM_BOT_TOKEN")
            }
            Err(e) => tracing::warn!(
                attempt,
                retry_in_ms = delay.as_millis() as u64,
                error = %e,
                "waiting for the Telegram Bot API"
            ),
        }
        if !pause(delay, stop).await {
            return Ok(None);
        }
        delay = backoff.next(delay);
        attempt += 1;
    }
}
