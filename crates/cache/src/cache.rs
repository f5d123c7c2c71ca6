//! The `Cache` handle: one client, one shared multiplexed connection, the key prefix.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::blocking::BlockingPool;
use crate::{CacheError, CacheStats, CacheStatsSnapshot};

/// Hosted Redis (TLS, another region) can be slower than the crate's 500 ms default.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Cache {
    pub(crate) client: redis::Client,
    /// Multiplexed and reconnecting: for every command that does not block.
    pub(crate) conn: ConnectionManager,
    /// Separate connections for blocking reads (`XREADGROUP BLOCK`).
    pub(crate) blocking: BlockingPool,
    prefix: Arc<str>,
    pub(crate) stats: Arc<CacheStats>,
}

impl std::fmt::Debug for Cache {
    // By hand: the client holds the URL, which may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// Connects and checks the server answers. Never logs `url`: it may hold a password.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        let conn = client.get_connection_manager_with_config(config).await?;
        let cache = Self {
            client,
            conn,
            blocking: BlockingPool::default(),
            prefix: prefix.into(),
            stats: Arc::default(),
        };
        cache.ping().await?;
        Ok(cache)
    }

    /// `{prefix}:{suffix}`: every key, stream and channel goes through here.
    pub fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.prefix)
    }

    pub async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING").exec_async(&mut conn).await?;
        Ok(())
    }

    pub fn stats(&self) -> CacheStatsSnapshot {
        self.stats.snapshot()
    }
}
