//! Calls to the Bot API that the handlers make. A 429 answer is waited out for its
//! `retry_after` and the call sent again, so flood control delays a reply instead of
//! losing it.

use std::time::Duration;

use teloxide::ApiError as TgApiError;
use teloxide::RequestError;
use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::*;
use teloxide::requests::Output;
use teloxide::types::{CallbackQueryId, MessageId};

use crate::screen::Screen;

/// Attempts of one call when Telegram keeps answering 429.
const MAX_ATTEMPTS: u32 = 4;
/// A longer `retry_after` is capped: a reply that late is better than none.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// Telegram's limit on a callback answer's text.
const MAX_ANSWER_CHARS: usize = 200;
/// Telegram's limit on a message's text.
const MAX_TEXT_CHARS: usize = 4096;

/// Sends `request`, waiting out `RetryAfter` answers.
pub async fn retrying<R>(request: R) -> Result<Output<R>, RequestError>
where
    R: Request<Err = RequestError>,
{
    let mut attempt = 1;
    loop {
        match request.send_ref().await {
            Err(RequestError::RetryAfter(wait)) if attempt < MAX_ATTEMPTS => {
                let wait = wait.duration().min(MAX_WAIT);
                tracing::warn!(
                    attempt,
                    retry_after_ms = wait.as_millis() as u64,
                    "Telegram flood control; retrying"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

pub async fn send(bot: &Bot, chat: ChatId, screen: Screen) -> Result<Message, RequestError> {
    let mut request = bot.send_message(chat, clip(screen.text));
    if let Some(keyboard) = screen.keyboard {
        request = request.reply_markup(keyboard);
    }
    retrying(request).await
}

/// Writes `screen` over a message; an identical edit is not an error.
pub async fn edit(
    bot: &Bot,
    chat: ChatId,
    message: MessageId,
    screen: Screen,
) -> Result<(), RequestError> {
    let mut request = bot.edit_message_text(chat, message, clip(screen.text));
    if let Some(keyboard) = screen.keyboard {
        request = request.reply_markup(keyboard);
    }
    match retrying(request).await {
        Ok(_) | Err(RequestError::Api(TgApiError::MessageNotModified)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Answers a button press (stops the client's spinner), optionally with a notice.
pub async fn answer(
    bot: &Bot,
    id: CallbackQueryId,
    text: Option<&str>,
    alert: bool,
) -> Result<(), RequestError> {
    let mut request = bot.answer_callback_query(id);
    if let Some(text) = text {
        request = request
            .text(crate::format::clip(text, MAX_ANSWER_CHARS))
            .show_alert(alert);
    }
    retrying(request).await.map(drop)
}

/// Lists are capped well below the limit; this is the last guard.
fn clip(text: String) -> String {
    if text.chars().count() > MAX_TEXT_CHARS {
        crate::format::clip(&text, MAX_TEXT_CHARS)
    } else {
        text
    }
}
