//! The fake's world: users' private chats, the update queue that `getUpdates` serves,
//! the bot's messages (current state and a log of every send and edit), callback
//! answers, registered commands and injected failures.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{Notify, watch};

use super::objects::{self, UserInfo};
use super::record::{BotCommand, CallbackAnswer, SentMessage};

pub(crate) struct Shared {
    pub(crate) token: String,
    inner: Mutex<Inner>,
    /// Wakes long-polling `getUpdates` as soon as an update is queued.
    updates: Notify,
    /// Bumped on every bot output and callback answer, for the test-side waits.
    changed: watch::Sender<u64>,
}

#[derive(Default)]
pub(crate) struct Inner {
    next_update_id: i64,
    /// Updates not yet confirmed by an `offset`.
    queue: VecDeque<Value>,
    pub(crate) chats: HashMap<i64, Chat>,
    /// Current state of every message in a chat, keyed by (chat id, message id).
    pub(crate) messages: HashMap<(i64, i32), Value>,
    /// Every send and edit of the bot, in order.
    pub(crate) log: Vec<SentMessage>,
    pub(crate) answers: Vec<CallbackAnswer>,
    /// Callback queries not answered yet: id -> presser.
    pub(crate) open_queries: HashMap<String, i64>,
    next_query_id: u64,
    pub(crate) commands: Vec<BotCommand>,
    /// Lower-case method name -> `retry_after` of the 429s to answer next.
    pub(crate) failures: HashMap<String, VecDeque<u32>>,
    pub(crate) calls: HashMap<String, u64>,
}

pub(crate) struct Chat {
    pub(crate) user: UserInfo,
    next_message_id: i32,
}

impl Chat {
    pub(crate) fn next_message_id(&mut self) -> i32 {
        self.next_message_id += 1;
        self.next_message_id
    }
}

impl Shared {
    pub(crate) fn new(token: String) -> Self {
        Self {
            token,
            inner: Mutex::new(Inner {
                next_update_id: 1,
                ..Inner::default()
            }),
            updates: Notify::new(),
            changed: watch::channel(0).0,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking test thread must not hide the state from the others.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tells test-side waiters that the bot did something.
    pub(crate) fn bump(&self) {
        self.changed.send_modify(|v| *v += 1);
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub(crate) fn add_user(&self, user: UserInfo) {
        self.lock().chats.entry(user.id).or_insert(Chat {
            user,
            next_message_id: 0,
        });
    }

    /// Queues `{"update_id": n, <kind>: payload}` and wakes the long poll.
    fn push_update(&self, inner: &mut Inner, kind: &str, payload: Value) -> i64 {
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        let mut update = json!({ "update_id": id });
        update[kind] = payload;
        inner.queue.push_back(update);
        self.updates.notify_waiters();
        id
    }

    /// The user types `text` in the private chat; returns the message id.
    pub(crate) fn send_text(&self, user_id: i64, text: &str) -> i32 {
        let mut inner = self.lock();
        let chat = inner
            .chats
            .get_mut(&user_id)
            .expect("user() registers the chat");
        let message_id = chat.next_message_id();
        let message = objects::user_message(&chat.user, message_id, text);
        inner
            .messages
            .insert((user_id, message_id), message.clone());
        self.push_update(&mut inner, "message", message);
        message_id
    }

    /// `presser` presses a button with `data` on a bot message; returns the query id.
    pub(crate) fn press(
        &self,
        presser: i64,
        chat_id: i64,
        message_id: i32,
        data: &str,
    ) -> anyhow::Result<String> {
        let mut inner = self.lock();
        let from = inner
            .chats
            .get(&presser)
            .map(|c| c.user.to_json())
            .ok_or_else(|| anyhow::anyhow!("unknown user {presser}"))?;
        let message = inner
            .messages
            .get(&(chat_id, message_id))
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("no message {message_id} in chat {chat_id}"))?;
        inner.next_query_id += 1;
        let query_id = format!("{}{:06}", presser.unsigned_abs(), inner.next_query_id);
        inner.open_queries.insert(query_id.clone(), presser);
        let query = json!({
            "id": query_id,
            "from": from,
            "message": message,
            "chat_instance": objects::chat_instance(chat_id),
            "data": data,
        });
        self.push_update(&mut inner, "callback_query", query);
        Ok(query_id)
    }

    /// Long polling as the Bot API does it: confirm what is below `offset`, then return
    /// pending updates at once, or wait up to `timeout` for the first one.
    pub(crate) async fn get_updates(&self, offset: i64, limit: usize, timeout: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Registered before looking, so a push between the look and the wait wakes us.
            let notified = self.updates.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut inner = self.lock();
                confirm(&mut inner.queue, offset);
                if !inner.queue.is_empty() {
                    let batch: Vec<Value> = inner.queue.iter().take(limit).cloned().collect();
                    return Value::Array(batch);
                }
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep_until(deadline) => return json!([]),
            }
        }
    }

    pub(crate) fn pending_updates(&self) -> usize {
        self.lock().queue.len()
    }
}

/// Drops confirmed updates: ids below a positive offset, or all but the last `-offset`.
fn confirm(queue: &mut VecDeque<Value>, offset: i64) {
    if offset > 0 {
        while queue
            .front()
            .is_some_and(|u| u["update_id"].as_i64().unwrap_or_default() < offset)
        {
            queue.pop_front();
        }
    } else if offset < 0 {
        let keep = offset.unsigned_abs() as usize;
        while queue.len() > keep {
            queue.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(ids: &[i64]) -> VecDeque<Value> {
        ids.iter().map(|id| json!({"update_id": id})).collect()
    }

    #[test]
    fn offsets_confirm_like_the_bot_api() {
        let mut q = queue(&[1, 2, 3]);
        confirm(&mut q, 0);
        assert_eq!(q.len(), 3);
        confirm(&mut q, 3);
        assert_eq!(q, queue(&[3]));
        let mut q = queue(&[1, 2, 3]);
        confirm(&mut q, -1);
        assert_eq!(q, queue(&[3]));
    }
}
