//! The notifications stream read by the api's SSE endpoint. A stream rather than
//! pub/sub so that a reconnecting bot resumes from `Last-Event-ID` and misses nothing.

use std::time::Duration;

use chrono::Utc;
use redis::aio::MultiplexedConnection;
use redis::streams::{StreamRangeReply, StreamReadReply};
use ts_core::event::{Event, EventEnvelope};

use crate::blocking::{self, block_args, bounded};
use crate::{Cache, CacheError};

/// Roughly how many notifications are kept: enough for any reconnect, bounded memory.
const EVENTS_MAXLEN: u64 = 100_000;

impl Cache {
    /// `{prefix}:stream:events`.
    pub fn events_stream(&self) -> String {
        self.key("stream:events")
    }

    /// Appends an event. The stored envelope has an empty `id` (the stream id is the
    /// id); the returned one carries it.
    pub async fn append_event(
        &self,
        event: &Event,
        traceparent: Option<String>,
    ) -> Result<EventEnvelope, CacheError> {
        let mut envelope = EventEnvelope {
            id: String::new(),
            at: Utc::now(),
            traceparent,
            event: event.clone(),
        };
        let payload = serde_json::to_string(&envelope)?;
        let mut conn = self.conn.clone();
        envelope.id = redis::cmd("XADD")
            .arg(self.events_stream())
            .arg("MAXLEN")
            .arg("~")
            .arg(EVENTS_MAXLEN)
            .arg("*")
            .arg("payload")
            .arg(payload)
            .query_async(&mut conn)
            .await?;
        Ok(envelope)
    }

    /// A connection of the caller's own for blocking reads ([`Cache::read_events`]):
    /// it has no response timeout, and BLOCK on it stalls nobody else.
    pub async fn dedicated_connection(&self) -> Result<MultiplexedConnection, CacheError> {
        Ok(blocking::open(&self.client).await?)
    }

    /// Events after `after_id` ("$": only new ones), waiting up to `block` (zero:
    /// don't wait). Pass the last returned id as the next `after_id`.
    pub async fn read_events(
        &self,
        conn: &mut MultiplexedConnection,
        after_id: &str,
        block: Duration,
        count: usize,
    ) -> Result<Vec<EventEnvelope>, CacheError> {
        let stream = self.events_stream();
        let mut after = after_id.to_owned();
        loop {
            let mut cmd = redis::cmd("XREAD");
            cmd.arg("COUNT").arg(count.max(1));
            block_args(&mut cmd, block);
            cmd.arg("STREAMS").arg(&stream).arg(&after);
            let reply: Option<StreamReadReply> = bounded(&cmd, conn, block).await?;
            let entries: Vec<_> = reply
                .into_iter()
                .flat_map(|r| r.keys)
                .flat_map(|k| k.ids)
                .collect();
            let Some(last) = entries.last() else {
                return Ok(Vec::new());
            };
            after = last.id.clone();
            let events: Vec<EventEnvelope> = entries.iter().filter_map(decode).collect();
            // A batch of only undecodable entries would come back forever if we
            // returned nothing and the caller kept its `after_id`: read past it.
            if !events.is_empty() {
                return Ok(events);
            }
        }
    }

    /// Id of the newest event: a concrete starting point that, unlike "$", loses no
    /// event appended between this call and the first read.
    pub async fn last_event_id(&self) -> Result<Option<String>, CacheError> {
        let mut conn = self.conn.clone();
        let reply: StreamRangeReply = redis::cmd("XREVRANGE")
            .arg(self.events_stream())
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut conn)
            .await?;
        Ok(reply.ids.into_iter().next().map(|e| e.id))
    }
}

fn decode(entry: &redis::streams::StreamId) -> Option<EventEnvelope> {
    let payload: String = entry.get("payload")?;
    match serde_json::from_str::<EventEnvelope>(&payload) {
        Ok(mut envelope) => {
            envelope.id = entry.id.clone();
            Some(envelope)
        }
        Err(err) => {
            tracing::warn!(id = %entry.id, error = %err, "skipping undecodable event");
            None
        }
    }
}
