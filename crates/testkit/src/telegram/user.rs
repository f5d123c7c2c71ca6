//! A Telegram user played by a test: types messages, presses buttons and reads what
//! the bot showed in their private chat.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};

use super::objects::UserInfo;
use super::record::{CallbackAnswer, SentMessage};
use super::state::Shared;

/// How long [`FakeUser::reply`] and [`FakeUser::answer`] wait by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct FakeUser {
    shared: Arc<Shared>,
    info: UserInfo,
    /// Index in the bot's output log after which `reply` looks: moved by every action,
    /// so a reply is always one that came after what the user just did.
    cursor: Arc<Mutex<usize>>,
}

impl FakeUser {
    pub(crate) fn new(shared: Arc<Shared>, info: UserInfo) -> Self {
        shared.add_user(info.clone());
        Self {
            shared,
            info,
            cursor: Arc::new(Mutex::new(0)),
        }
    }

    pub fn id(&self) -> i64 {
        self.info.id
    }

    pub fn info(&self) -> &UserInfo {
        &self.info
    }

    fn mark(&self) {
        let end = self.shared.lock().log.len();
        *self.cursor.lock().unwrap_or_else(|e| e.into_inner()) = end;
    }

    /// Sends a text message (or a `/command`) to the bot; returns its message id.
    pub fn send_text(&self, text: &str) -> i32 {
        self.mark();
        self.shared.send_text(self.info.id, text)
    }

    /// Presses the button `label` (exact label, else callback data, else part of a
    /// label) on the newest bot message in this chat that has it; returns the query id.
    pub fn press(&self, label: &str) -> anyhow::Result<String> {
        let message = self.find_button_message(label).with_context(|| {
            format!(
                "no button '{label}' in chat {}; messages: {:#?}",
                self.info.id,
                self.current_messages()
            )
        })?;
        self.press_on(&message, label)
    }

    /// Presses `label` on a given message, which may be in someone else's chat.
    pub fn press_on(&self, message: &SentMessage, label: &str) -> anyhow::Result<String> {
        let current = self
            .shared
            .lock()
            .messages
            .get(&(message.chat_id, message.message_id))
            .map(|m| SentMessage::from_json(m, false))
            .unwrap_or_else(|| message.clone());
        let data = current
            .button(label)
            .or_else(|| message.button(label))
            .and_then(|b| b.callback_data.clone())
            .with_context(|| format!("no callback button '{label}' on {current:#?}"))?;
        self.press_data(message, &data)
    }

    /// Sends a callback query with arbitrary `data` from `message` (e.g. a forged or
    /// very old button).
    pub fn press_data(&self, message: &SentMessage, data: &str) -> anyhow::Result<String> {
        self.mark();
        self.shared
            .press(self.info.id, message.chat_id, message.message_id, data)
    }

    /// The next send or edit of the bot in this chat after the last action.
    pub async fn reply(&self) -> anyhow::Result<SentMessage> {
        self.wait_for(|_| true, DEFAULT_WAIT).await
    }

    /// The first send or edit after the last action that satisfies `pred`; later
    /// `reply`/`wait_for` calls look after it.
    pub async fn wait_for(
        &self,
        pred: impl Fn(&SentMessage) -> bool,
        timeout: Duration,
    ) -> anyhow::Result<SentMessage> {
        let mut changed = self.shared.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            changed.borrow_and_update();
            {
                let inner = self.shared.lock();
                let log = &inner.log;
                let mut cursor = self.cursor.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((i, m)) = log
                    .iter()
                    .enumerate()
                    .skip(*cursor)
                    .find(|(_, m)| m.chat_id == self.info.id && pred(m))
                {
                    *cursor = i + 1;
                    return Ok(m.clone());
                }
            }
            if tokio::time::timeout_at(deadline, changed.changed())
                .await
                .is_err()
            {
                let seen: Vec<SentMessage> = self.outputs_after_cursor();
                bail!(
                    "user {}: no matching bot message within {timeout:?}; seen since the last action: {seen:#?}",
                    self.info.id
                );
            }
        }
    }

    /// Fails if the bot sends or edits anything in this chat within `quiet`.
    pub async fn expect_silence(&self, quiet: Duration) -> anyhow::Result<()> {
        match self.wait_for(|_| true, quiet).await {
            Ok(m) => bail!("expected no reply, got {m:#?}"),
            Err(_) => Ok(()),
        }
    }

    /// The bot's answer to the press `query_id`.
    pub async fn answer(&self, query_id: &str) -> anyhow::Result<CallbackAnswer> {
        let mut changed = self.shared.subscribe();
        let deadline = tokio::time::Instant::now() + DEFAULT_WAIT;
        loop {
            changed.borrow_and_update();
            if let Some(a) = self
                .shared
                .lock()
                .answers
                .iter()
                .find(|a| a.callback_query_id == query_id)
            {
                return Ok(a.clone());
            }
            if tokio::time::timeout_at(deadline, changed.changed())
                .await
                .is_err()
            {
                bail!("callback query {query_id} was not answered within {DEFAULT_WAIT:?}");
            }
        }
    }

    /// Every send and edit of the bot in this chat, oldest first.
    pub fn messages(&self) -> Vec<SentMessage> {
        let inner = self.shared.lock();
        inner
            .log
            .iter()
            .filter(|m| m.chat_id == self.info.id)
            .cloned()
            .collect()
    }

    /// The bot's messages in this chat as they look now (after edits, deletions).
    pub fn current_messages(&self) -> Vec<SentMessage> {
        let inner = self.shared.lock();
        let mut current: Vec<SentMessage> = inner
            .messages
            .iter()
            .filter(|((chat, _), m)| {
                *chat == self.info.id && m["from"]["id"] == super::objects::BOT_ID
            })
            .map(|(_, m)| SentMessage::from_json(m, m.get("edit_date").is_some()))
            .collect();
        current.sort_by_key(|m| m.message_id);
        current
    }

    fn outputs_after_cursor(&self) -> Vec<SentMessage> {
        let cursor = *self.cursor.lock().unwrap_or_else(|e| e.into_inner());
        let inner = self.shared.lock();
        inner
            .log
            .iter()
            .skip(cursor)
            .filter(|m| m.chat_id == self.info.id)
            .cloned()
            .collect()
    }

    fn find_button_message(&self, label: &str) -> Option<SentMessage> {
        let messages = self.current_messages();
        let newest_first = || messages.iter().rev();
        newest_first()
            .find(|m| m.buttons().any(|b| b.text == label))
            .or_else(|| {
                newest_first().find(|m| {
                    m.buttons()
                        .any(|b| b.callback_data.as_deref() == Some(label))
                })
            })
            .or_else(|| newest_first().find(|m| m.buttons().any(|b| b.text.contains(label))))
            .cloned()
    }
}
