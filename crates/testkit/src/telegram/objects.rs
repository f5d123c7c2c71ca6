//! Bot API objects as JSON, with the fields the real API sends (teloxide's types
//! are strict: a missing required field fails the whole update).

use serde_json::{Value, json};

/// The fake bot's own user id (the number before `:` in a real token).
pub const BOT_ID: i64 = 7_000_000_001;
pub const BOT_USERNAME: &str = "tradingstack_test_bot";
const BOT_NAME: &str = "TradingStack (test)";

/// A Telegram user the test plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub id: i64,
    pub first_name: String,
    pub username: Option<String>,
}

impl UserInfo {
    pub fn to_json(&self) -> Value {
        let mut user = json!({
            "id": self.id,
            "is_bot": false,
            "first_name": self.first_name,
            "language_code": "en",
        });
        if let Some(username) = &self.username {
            user["username"] = json!(username);
        }
        user
    }

    /// The private chat with this user: its id is the user's id.
    pub fn private_chat(&self) -> Value {
        let mut chat = json!({"id": self.id, "type": "private", "first_name": self.first_name});
        if let Some(username) = &self.username {
            chat["username"] = json!(username);
        }
        chat
    }
}

pub fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": BOT_NAME, "username": BOT_USERNAME})
}

/// `getMe`: the bot user plus the capability flags teloxide requires.
pub fn me() -> Value {
    let mut me = bot_user();
    let fields = json!({
        "can_join_groups": true,
        "can_read_all_group_messages": false,
        "supports_inline_queries": false,
        "can_connect_to_business": false,
        "has_main_web_app": false,
    });
    for (k, v) in fields.as_object().into_iter().flatten() {
        me[k] = v.clone();
    }
    me
}

/// Unix time in seconds, as the Bot API writes dates.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// A text message the user sent; a leading `/command` gets its `bot_command` entity.
pub fn user_message(user: &UserInfo, message_id: i32, text: &str) -> Value {
    let mut message = json!({
        "message_id": message_id,
        "from": user.to_json(),
        "chat": user.private_chat(),
        "date": now(),
        "text": text,
    });
    if text.starts_with('/') {
        let length = text
            .split_whitespace()
            .next()
            .map_or(0, |c| c.encode_utf16().count());
        message["entities"] = json!([{"type": "bot_command", "offset": 0, "length": length}]);
    }
    message
}

/// A message the bot sent into `chat`.
pub fn bot_message(chat: Value, message_id: i32, text: &str, markup: Option<Value>) -> Value {
    let mut message = json!({
        "message_id": message_id,
        "from": bot_user(),
        "chat": chat,
        "date": now(),
        "text": text,
    });
    if let Some(markup) = markup {
        message["reply_markup"] = markup;
    }
    message
}

/// Telegram's `chat_instance`: an opaque string stable for a chat.
pub fn chat_instance(chat_id: i64) -> String {
    format!("{}", (chat_id as i128 * 7_919 + 104_729).unsigned_abs())
}
