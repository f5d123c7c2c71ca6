//! The Bot API methods the bot uses, answering as the real API does: results in the
//! `ok`/`result` envelope, `true` where Telegram returns `true`, and the real error
//! descriptions for the mistakes a bot can make.

use std::time::Duration;

use serde_json::{Value, json};

use super::objects;
use super::params::Params;
use super::record::{BotCommand, CallbackAnswer, SentMessage};
use super::state::Shared;

const MAX_TEXT_CHARS: usize = 4096;
const MAX_CALLBACK_DATA_BYTES: usize = 64;
const MAX_ANSWER_CHARS: usize = 200;

/// A failed call: HTTP status (= `error_code`), description, and `retry_after` for 429.
pub(crate) struct Failure {
    pub(crate) code: u16,
    pub(crate) description: String,
    pub(crate) retry_after: Option<u32>,
}

impl Failure {
    fn bad_request(what: &str) -> Self {
        Self {
            code: 400,
            description: format!("Bad Request: {what}"),
            retry_after: None,
        }
    }

    pub(crate) fn not_found() -> Self {
        Self {
            code: 404,
            description: "Not Found".into(),
            retry_after: None,
        }
    }

    pub(crate) fn too_many_requests(retry_after: u32) -> Self {
        Self {
            code: 429,
            description: format!("Too Many Requests: retry after {retry_after}"),
            retry_after: Some(retry_after),
        }
    }
}

type MethodResult = Result<Value, Failure>;

/// Runs `method` (matched case-insensitively, as Telegram does).
pub(crate) async fn call(shared: &Shared, method: &str, p: &Params) -> MethodResult {
    let method = method.to_ascii_lowercase();
    {
        let mut inner = shared.lock();
        *inner.calls.entry(method.clone()).or_default() += 1;
        if let Some(retry_after) = inner.failures.get_mut(&method).and_then(|q| q.pop_front()) {
            return Err(Failure::too_many_requests(retry_after));
        }
    }
    match method.as_str() {
        "getme" => Ok(objects::me()),
        "logout" | "close" | "deletewebhook" | "sendchataction" | "deletemycommands" => {
            Ok(json!(true))
        }
        "getwebhookinfo" => Ok(json!({
            "url": "",
            "has_custom_certificate": false,
            "pending_update_count": shared.pending_updates(),
        })),
        "getupdates" => {
            let offset = p.int("offset").unwrap_or(0);
            let limit = p.int("limit").unwrap_or(100).clamp(1, 100) as usize;
            let timeout = Duration::from_secs(p.int("timeout").unwrap_or(0).max(0) as u64);
            Ok(shared.get_updates(offset, limit, timeout).await)
        }
        "sendmessage" => send_message(shared, p),
        "editmessagetext" => edit_message(shared, p, true),
        "editmessagereplymarkup" => edit_message(shared, p, false),
        "answercallbackquery" => answer_callback_query(shared, p),
        "deletemessage" => delete_message(shared, p),
        "setmycommands" => set_my_commands(shared, p),
        "getmycommands" => Ok(commands_json(shared)),
        _ => Err(Failure::not_found()),
    }
}

fn send_message(shared: &Shared, p: &Params) -> MethodResult {
    let chat_id = p
        .int("chat_id")
        .ok_or_else(|| Failure::bad_request("chat_id is empty"))?;
    let text = checked_text(p)?;
    let markup = checked_markup(p)?;
    let message = {
        let mut inner = shared.lock();
        let chat = inner
            .chats
            .get_mut(&chat_id)
            .ok_or_else(|| Failure::bad_request("chat not found"))?;
        let message_id = chat.next_message_id();
        let message = objects::bot_message(chat.user.private_chat(), message_id, &text, markup);
        inner
            .messages
            .insert((chat_id, message_id), message.clone());
        inner.log.push(SentMessage::from_json(&message, false));
        message
    };
    shared.bump();
    Ok(message)
}

/// `editMessageText` (with_text) or `editMessageReplyMarkup`. Leaving `reply_markup`
/// out removes the inline keyboard, as on Telegram.
fn edit_message(shared: &Shared, p: &Params, with_text: bool) -> MethodResult {
    if p.string("inline_message_id").is_some() {
        return Err(Failure::bad_request(
            "inline messages are not supported by this fake",
        ));
    }
    let chat_id = p
        .int("chat_id")
        .ok_or_else(|| Failure::bad_request("chat_id is empty"))?;
    let message_id = p
        .int("message_id")
        .ok_or_else(|| Failure::bad_request("message_id is empty"))? as i32;
    let text = if with_text {
        Some(checked_text(p)?)
    } else {
        None
    };
    let markup = checked_markup(p)?;
    let edited = {
        let mut inner = shared.lock();
        let message = inner
            .messages
            .get_mut(&(chat_id, message_id))
            .filter(|m| m["from"]["id"] == objects::BOT_ID)
            .ok_or_else(|| Failure::bad_request("message to edit not found"))?;
        let new_text = text.unwrap_or_else(|| message["text"].as_str().unwrap_or_default().into());
        let old_markup = message.get("reply_markup").cloned();
        if message["text"] == new_text.as_str() && old_markup == markup {
            return Err(Failure::bad_request(
                "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            ));
        }
        message["text"] = json!(new_text);
        message["edit_date"] = json!(objects::now());
        match markup {
            Some(markup) => message["reply_markup"] = markup,
            None => {
                message.as_object_mut().map(|m| m.remove("reply_markup"));
            }
        }
        let edited = message.clone();
        inner.log.push(SentMessage::from_json(&edited, true));
        edited
    };
    shared.bump();
    Ok(edited)
}

fn answer_callback_query(shared: &Shared, p: &Params) -> MethodResult {
    let id = p
        .string("callback_query_id")
        .ok_or_else(|| Failure::bad_request("callback_query_id is empty"))?;
    let text = p.string("text").filter(|t| !t.is_empty());
    if text
        .as_ref()
        .is_some_and(|t| t.chars().count() > MAX_ANSWER_CHARS)
    {
        return Err(Failure::bad_request("MESSAGE_TOO_LONG"));
    }
    {
        let mut inner = shared.lock();
        let user_id = inner.open_queries.remove(&id).ok_or_else(|| {
            Failure::bad_request(
                "query is too old and response timeout expired or query ID is invalid",
            )
        })?;
        inner.answers.push(CallbackAnswer {
            callback_query_id: id,
            user_id,
            text,
            show_alert: p.bool("show_alert"),
        });
    }
    shared.bump();
    Ok(json!(true))
}

fn delete_message(shared: &Shared, p: &Params) -> MethodResult {
    let chat_id = p.int("chat_id").unwrap_or_default();
    let message_id = p.int("message_id").unwrap_or_default() as i32;
    shared
        .lock()
        .messages
        .remove(&(chat_id, message_id))
        .map(|_| json!(true))
        .ok_or_else(|| Failure::bad_request("message to delete not found"))
}

fn set_my_commands(shared: &Shared, p: &Params) -> MethodResult {
    let list = p
        .json("commands")
        .and_then(|v| v.as_array().cloned())
        .ok_or_else(|| Failure::bad_request("parameter \"commands\" is required"))?;
    let mut commands = Vec::with_capacity(list.len());
    for entry in list {
        // Telegram accepts a leading '/' (teloxide sends "/start") and stores the name.
        let command = entry["command"].as_str().unwrap_or_default();
        let command = command.strip_prefix('/').unwrap_or(command).to_string();
        let description = entry["description"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let valid_name = (1..=32).contains(&command.len())
            && command
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name {
            return Err(Failure::bad_request("BOT_COMMAND_INVALID"));
        }
        if !(1..=256).contains(&description.chars().count()) {
            return Err(Failure::bad_request(
                "command description is empty or too long",
            ));
        }
        commands.push(BotCommand {
            command,
            description,
        });
    }
    shared.lock().commands = commands;
    Ok(json!(true))
}

fn commands_json(shared: &Shared) -> Value {
    let inner = shared.lock();
    Value::Array(
        inner
            .commands
            .iter()
            .map(|c| json!({"command": c.command, "description": c.description}))
            .collect(),
    )
}

fn checked_text(p: &Params) -> Result<String, Failure> {
    let text = p.string("text").unwrap_or_default();
    if text.trim().is_empty() {
        return Err(Failure::bad_request("message text is empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(Failure::bad_request("message is too long"));
    }
    Ok(text)
}

/// The reply markup, with the inline keyboard rules Telegram enforces.
fn checked_markup(p: &Params) -> Result<Option<Value>, Failure> {
    let Some(markup) = p.json("reply_markup") else {
        return Ok(None);
    };
    if let Some(rows) = markup.get("inline_keyboard") {
        let rows = rows
            .as_array()
            .ok_or_else(|| Failure::bad_request("inline keyboard must be an array of rows"))?;
        for button in rows.iter().flat_map(|r| r.as_array().into_iter().flatten()) {
            if button["text"].as_str().is_none_or(str::is_empty) {
                return Err(Failure::bad_request("BUTTON_TEXT_INVALID"));
            }
            if let Some(data) = button.get("callback_data") {
                let len = data.as_str().map_or(0, str::len);
                if !(1..=MAX_CALLBACK_DATA_BYTES).contains(&len) {
                    return Err(Failure::bad_request("BUTTON_DATA_INVALID"));
                }
            }
        }
    }
    Ok(Some(markup))
}
