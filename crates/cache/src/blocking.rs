//! Dedicated connections for blocking reads. Redis serves one connection's commands in
//! order, so a `BLOCK` on the shared multiplexed connection would stall every other
//! caller; these connections are used by one blocking read at a time and then reused.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis::AsyncConnectionConfig;
use redis::aio::MultiplexedConnection;

/// Idle connections kept for reuse; more concurrent readers simply open more.
const MAX_IDLE: usize = 8;
/// Slack over the server-side BLOCK before we give up on an answer (half-open TCP).
const BLOCK_SLACK: Duration = Duration::from_secs(10);

#[derive(Clone, Default)]
pub(crate) struct BlockingPool {
    idle: Arc<Mutex<Vec<MultiplexedConnection>>>,
}

impl BlockingPool {
    pub(crate) async fn take(
        &self,
        client: &redis::Client,
    ) -> redis::RedisResult<MultiplexedConnection> {
        let reused = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match reused {
            Some(conn) => Ok(conn),
            None => open(client).await,
        }
    }

    /// Returns a connection after a successful command; a failed one is just dropped.
    pub(crate) fn give_back(&self, conn: MultiplexedConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }
}

/// A connection without a response timeout: a `BLOCK` read legitimately waits longer
/// than any fixed timeout, so callers bound it with [`bounded`] instead.
pub(crate) async fn open(client: &redis::Client) -> redis::RedisResult<MultiplexedConnection> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(5)))
        .set_response_timeout(None);
    client
        .get_multiplexed_async_connection_with_config(&config)
        .await
}

/// `BLOCK <ms>` arguments; a zero block means "don't block" (Redis reads 0 as forever).
pub(crate) fn block_args(cmd: &mut redis::Cmd, block: Duration) {
    let ms = block.as_millis();
    if ms > 0 {
        cmd.arg("BLOCK").arg(u64::try_from(ms).unwrap_or(u64::MAX));
    }
}

/// Runs a blocking read with a client-side deadline of `block` plus some slack.
pub(crate) async fn bounded<T: redis::FromRedisValue>(
    cmd: &redis::Cmd,
    conn: &mut MultiplexedConnection,
    block: Duration,
) -> redis::RedisResult<T> {
    match tokio::time::timeout(block + BLOCK_SLACK, cmd.query_async(conn)).await {
        Ok(result) => result,
        Err(_) => Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "blocking redis read got no answer",
        )
        .into()),
    }
}
