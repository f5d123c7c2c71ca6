//! What the bot shows: a text and an optional inline keyboard, sent as a new message
//! or written over the message whose button was pressed.

use teloxide::types::InlineKeyboardMarkup;

#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    pub text: String,
    pub keyboard: Option<InlineKeyboardMarkup>,
}

impl Screen {
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            keyboard: None,
        }
    }

    pub fn with_keyboard(text: impl Into<String>, keyboard: InlineKeyboardMarkup) -> Self {
        Self {
            text: text.into(),
            keyboard: Some(keyboard),
        }
    }
}

/// What a button press leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Replace the pressed message.
    Edit(Screen),
    /// Send a new message, leaving the pressed one as it is.
    Send(Screen),
}
