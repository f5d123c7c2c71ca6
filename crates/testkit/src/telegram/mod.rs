//! A fake Telegram Bot API: an HTTP server the bot reaches through
//! `TELEGRAM_API_URL`, behaving as the real API does for what the bot uses
//! (case-insensitive method names, long-polling `getUpdates` with offset and timeout,
//! full `Message` objects, `chat_instance` on callback queries, `true` results,
//! the real error envelopes and limits such as 64-byte `callback_data`).
//!
//! The test side plays users ([`FakeTelegram::user`]) and reads back what the bot
//! sent, edits included.

mod methods;
mod objects;
mod params;
mod record;
mod server;
mod state;
mod user;

use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use objects::{BOT_ID, BOT_USERNAME, UserInfo};
pub use record::{BotCommand, Button, CallbackAnswer, SentMessage};
pub use user::{DEFAULT_WAIT, FakeUser};

use state::Shared;

/// The token the fake accepts; any other gets 401 as on Telegram.
pub const TEST_BOT_TOKEN: &str = "7000000001:TEST-fake-telegram-token";

pub struct FakeTelegram {
    shared: Arc<Shared>,
    url: String,
    shutdown: Option<oneshot::Sender<()>>,
}

impl FakeTelegram {
    /// Serves on a random port of 127.0.0.1.
    pub async fn start() -> anyhow::Result<FakeTelegram> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        Self::serve(listener)
    }

    /// Serves on `listener` (e.g. a fixed port for the local demo).
    pub fn serve(listener: TcpListener) -> anyhow::Result<FakeTelegram> {
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared::new(TEST_BOT_TOKEN.to_string()));
        let (tx, rx) = oneshot::channel::<()>();
        let app = server::router(Arc::clone(&shared));
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "fake Telegram server stopped");
            }
        });
        Ok(FakeTelegram {
            shared,
            url,
            shutdown: Some(tx),
        })
    }

    /// Base URL for `TELEGRAM_API_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// A user with a private chat with the bot (chat id = user id).
    pub fn user(&self, id: i64, first_name: &str) -> FakeUser {
        FakeUser::new(
            Arc::clone(&self.shared),
            UserInfo {
                id,
                first_name: first_name.to_string(),
                username: Some(format!("{}_{id}", first_name.to_lowercase())),
            },
        )
    }

    /// Every send and edit of the bot in every chat, oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.shared.lock().log.clone()
    }

    pub fn callback_answers(&self) -> Vec<CallbackAnswer> {
        self.shared.lock().answers.clone()
    }

    /// Callback queries the bot has not answered (yet).
    pub fn unanswered_callbacks(&self) -> usize {
        self.shared.lock().open_queries.len()
    }

    /// The commands of the last `setMyCommands`.
    pub fn commands(&self) -> Vec<BotCommand> {
        self.shared.lock().commands.clone()
    }

    /// How many times `method` was called (case-insensitive), failures included.
    pub fn calls(&self, method: &str) -> u64 {
        let method = method.to_ascii_lowercase();
        self.shared.lock().calls.get(&method).copied().unwrap_or(0)
    }

    /// Answers the next call of `method` with 429 and `parameters.retry_after`.
    pub fn fail_next_with_retry_after(&self, method: &str, retry_after_secs: u32) {
        self.shared
            .lock()
            .failures
            .entry(method.to_ascii_lowercase())
            .or_default()
            .push_back(retry_after_secs);
    }

    /// Updates waiting to be confirmed by the bot's `getUpdates`.
    pub fn pending_updates(&self) -> usize {
        self.shared.pending_updates()
    }
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
mod tests;
