//! A Telegram user of the running local bot, played through the fakes' control server.
use std::time::Duration;

use serde_json::{Value, json};

use crate::http::{client, post_json};

pub struct ChatUser {
    control: String,
    pub id: i64,
}

impl ChatUser {
    pub fn new(control: &str, id: i64) -> Self {
        Self {
            control: control.to_string(),
            id,
        }
    }

    /// The chat now: each message in its latest version.
    pub async fn messages(&self) -> anyhow::Result<Vec<Value>> {
        let v: Value = client()
            .get(format!(
                "{}/telegram/users/{}/messages",
                self.control, self.id
            ))
            .send()
            .await?
            .json()
            .await?;
        Ok(v.as_array().cloned().unwrap_or_default())
    }

    /// Sends `text`, then waits for a new or edited message containing `expect`.
    pub async fn send(&self, text: &str, expect: &str) -> anyhow::Result<Value> {
        let before = self.messages().await?;
        post_json(
            &format!("{}/telegram/users/{}/send", self.control, self.id),
            &json!({"text": text}),
        )
        .await?;
        self.wait_for(&before, expect)
            .await
            .map_err(|e| anyhow::anyhow!("after sending {text:?}: {e}"))
    }

    /// Presses the button `label` (exact, or part of a label), then waits for `expect`.
    pub async fn press(&self, label: &str, expect: &str) -> anyhow::Result<Value> {
        let before = self.messages().await?;
        post_json(
            &format!("{}/telegram/users/{}/press", self.control, self.id),
            &json!({"label": label}),
        )
        .await?;
        self.wait_for(&before, expect)
            .await
            .map_err(|e| anyhow::anyhow!("after pressing {label:?}: {e}"))
    }

    /// Waits up to 30 s for a message not in `before` whose text or buttons contain `needle`.
    pub async fn wait_for(&self, before: &[Value], needle: &str) -> anyhow::Result<Value> {
        for _ in 0..150 {
            let now = self.messages().await?;
            let shows = |m: &Value| {
                text(m).contains(needle) || labels(m).iter().any(|l| l.contains(needle))
            };
            if let Some(m) = now.iter().find(|m| !before.contains(m) && shows(m)) {
                return Ok(m.clone());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let last = self.messages().await?.last().map(text).unwrap_or_default();
        anyhow::bail!("no message containing {needle:?} within 30 s; the last one reads: {last:?}")
    }
}

pub fn text(m: &Value) -> String {
    m["text"].as_str().unwrap_or_default().to_string()
}

pub fn labels(m: &Value) -> Vec<String> {
    m["keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r.as_array().into_iter().flatten())
        .filter_map(|b| b["text"].as_str().map(str::to_string))
        .collect()
}
