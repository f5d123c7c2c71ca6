//! Best-effort notices (price ticks, notifications): a subscriber that is away misses
//! them, which is why anything that must not be lost goes through a stream instead.

use futures::{Stream, StreamExt, future};

use crate::{Cache, CacheError};

impl Cache {
    /// Publishes on a full channel name (build it with [`Cache::key`]).
    pub async fn publish(&self, channel: &str, payload: &str) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("PUBLISH")
            .arg(channel)
            .arg(payload)
            .exec_async(&mut conn)
            .await?;
        Ok(())
    }

    /// Subscribes on a dedicated connection (a subscribed connection can do nothing
    /// else). The subscription is confirmed when this returns, so a message published
    /// afterwards is received. The stream ends if the connection drops.
    pub async fn subscribe(
        &self,
        channel: &str,
    ) -> Result<impl Stream<Item = String> + Send + Unpin + 'static, CacheError> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(channel).await?;
        Ok(pubsub
            .into_on_message()
            .filter_map(|msg| future::ready(msg.get_payload::<String>().ok())))
    }
}
