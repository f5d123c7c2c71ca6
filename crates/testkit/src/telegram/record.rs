//! What a test reads back from the fake: the bot's messages as the user sees them,
//! its answers to button presses and the commands it registered.

use serde_json::Value;

/// One inline keyboard button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    pub callback_data: Option<String>,
    pub url: Option<String>,
}

/// A message the bot sent, as it looked right after a send or an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub chat_id: i64,
    pub message_id: i32,
    pub text: String,
    /// Inline keyboard rows (empty when there is none).
    pub keyboard: Vec<Vec<Button>>,
    /// True when this snapshot comes from an edit of an earlier message.
    pub edited: bool,
}

impl SentMessage {
    /// Every button, row after row.
    pub fn buttons(&self) -> impl Iterator<Item = &Button> {
        self.keyboard.iter().flatten()
    }

    /// The button labelled exactly `label`, else the one whose data is `label`, else
    /// the first whose label contains `label`.
    pub fn button(&self, label: &str) -> Option<&Button> {
        self.buttons()
            .find(|b| b.text == label)
            .or_else(|| {
                self.buttons()
                    .find(|b| b.callback_data.as_deref() == Some(label))
            })
            .or_else(|| self.buttons().find(|b| b.text.contains(label)))
    }

    /// Button labels, row after row, for assertions and failure messages.
    pub fn labels(&self) -> Vec<String> {
        self.buttons().map(|b| b.text.clone()).collect()
    }

    pub(crate) fn from_json(message: &Value, edited: bool) -> SentMessage {
        let keyboard = message["reply_markup"]["inline_keyboard"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| {
                        row.as_array()
                            .into_iter()
                            .flatten()
                            .map(|b| Button {
                                text: b["text"].as_str().unwrap_or_default().to_string(),
                                callback_data: b["callback_data"].as_str().map(str::to_string),
                                url: b["url"].as_str().map(str::to_string),
                            })
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        SentMessage {
            chat_id: message["chat"]["id"].as_i64().unwrap_or_default(),
            message_id: message["message_id"].as_i64().unwrap_or_default() as i32,
            text: message["text"].as_str().unwrap_or_default().to_string(),
            keyboard,
            edited,
        }
    }
}

/// The bot's `answerCallbackQuery` for one press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackAnswer {
    pub callback_query_id: String,
    /// Who pressed the button.
    pub user_id: i64,
    pub text: Option<String>,
    pub show_alert: bool,
}

/// One entry of `setMyCommands`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotCommand {
    pub command: String,
    pub description: String,
}
