//! The leader-trade stream and consumer-group reads: a restarted listener resumes
//! from its group's position, and entries a dead consumer never acked are claimed.

use std::time::Duration;

use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};
use ts_core::copy::LeaderTradeMessage;

use crate::blocking::{block_args, bounded};
use crate::{Cache, CacheError};

/// One stream entry: its id, the JSON payload and the W3C trace context, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry {
    pub id: String,
    pub payload: String,
    pub traceparent: Option<String>,
}

impl StreamEntry {
    fn from_redis(entry: &StreamId) -> Self {
        Self {
            id: entry.id.clone(),
            // An entry written by something else may lack a field: an empty payload
            // fails to decode at the consumer, which then acks it and moves on.
            payload: entry.get("payload").unwrap_or_default(),
            traceparent: entry.get::<String>("traceparent").filter(|t| !t.is_empty()),
        }
    }
}

impl Cache {
    /// `{prefix}:stream:leader-trades`.
    pub fn leader_trades_stream(&self) -> String {
        self.key("stream:leader-trades")
    }

    /// Appends a trade; returns the entry id. Not trimmed: entries a group has not
    /// consumed yet must not disappear.
    pub async fn append_leader_trade(
        &self,
        msg: &LeaderTradeMessage,
    ) -> Result<String, CacheError> {
        let payload = serde_json::to_string(msg)?;
        let mut conn = self.conn.clone();
        let id = redis::cmd("XADD")
            .arg(self.leader_trades_stream())
            .arg("*")
            .arg("payload")
            .arg(payload)
            .arg("traceparent")
            .arg(msg.traceparent.as_deref().unwrap_or(""))
            .query_async(&mut conn)
            .await?;
        Ok(id)
    }

    /// Creates the group at the stream's end (creating the stream too); an existing
    /// group is kept as it is, with its position.
    pub async fn ensure_group(&self, stream: &str, group: &str) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        let created = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(stream)
            .arg(group)
            .arg("$")
            .arg("MKSTREAM")
            .exec_async(&mut conn)
            .await;
        match created {
            Err(err) if err.code() == Some("BUSYGROUP") => Ok(()),
            other => Ok(other?),
        }
    }

    /// New entries for `consumer`, waiting up to `block` (zero: don't wait). Runs on
    /// a dedicated connection: BLOCK would stall the shared one.
    pub async fn read_group(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StreamEntry>, CacheError> {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP").arg(group).arg(consumer);
        cmd.arg("COUNT").arg(count.max(1));
        block_args(&mut cmd, block);
        cmd.arg("STREAMS").arg(stream).arg(">");

        let mut conn = self.blocking.take(&self.client).await?;
        let reply: Option<StreamReadReply> = bounded(&cmd, &mut conn, block).await?;
        self.blocking.give_back(conn);
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .map(|e| StreamEntry::from_redis(&e))
            .collect())
    }

    /// Acknowledges processed entries; returns how many were pending.
    pub async fn ack(&self, stream: &str, group: &str, ids: &[String]) -> Result<u64, CacheError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut conn = self.conn.clone();
        let acked = redis::cmd("XACK")
            .arg(stream)
            .arg(group)
            .arg(ids)
            .query_async(&mut conn)
            .await?;
        Ok(acked)
    }

    /// Takes over up to `count` entries that another consumer read but has not acked
    /// for `min_idle`, walking the whole pending list from the start.
    pub async fn autoclaim(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, CacheError> {
        let count = count.max(1);
        let min_idle_ms = u64::try_from(min_idle.as_millis()).unwrap_or(u64::MAX);
        let mut conn = self.conn.clone();
        let mut claimed = Vec::new();
        let mut cursor = "0-0".to_owned();
        while claimed.len() < count {
            let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
                .arg(stream)
                .arg(group)
                .arg(consumer)
                .arg(min_idle_ms)
                .arg(&cursor)
                .arg("COUNT")
                .arg(count - claimed.len())
                .query_async(&mut conn)
                .await?;
            claimed.extend(reply.claimed.iter().map(StreamEntry::from_redis));
            // One call scans a bounded slice of the pending list; "0-0" means done.
            if reply.next_stream_id == "0-0" {
                break;
            }
            cursor = reply.next_stream_id;
        }
        Ok(claimed)
    }

    pub async fn stream_len(&self, stream: &str) -> Result<u64, CacheError> {
        let mut conn = self.conn.clone();
        Ok(redis::cmd("XLEN")
            .arg(stream)
            .query_async(&mut conn)
            .await?)
    }
}
