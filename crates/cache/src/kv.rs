//! Typed cache entries with a TTL, and their invalidation.

use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Cache, CacheError};

/// Keys per SCAN page and per UNLINK batch: small enough not to stall the server.
const SCAN_COUNT: usize = 500;

impl Cache {
    /// A cached string; counts a hit or a miss.
    pub async fn get_raw(&self, key: &str) -> Result<Option<String>, CacheError> {
        let value = self.get_uncounted(key).await?;
        match value {
            Some(_) => self.stats.hit(),
            None => self.stats.miss(),
        }
        Ok(value)
    }

    /// A cached JSON value. One that no longer decodes (the type changed in a
    /// deploy) counts as a miss and is deleted, so the caller's refill replaces it.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CacheError> {
        let Some(raw) = self.get_uncounted(key).await? else {
            self.stats.miss();
            return Ok(None);
        };
        match serde_json::from_str(&raw) {
            Ok(value) => {
                self.stats.hit();
                Ok(Some(value))
            }
            Err(err) => {
                tracing::warn!(key, error = %err, "dropping undecodable cache entry");
                self.stats.miss();
                self.delete(&[key.to_owned()]).await?;
                Ok(None)
            }
        }
    }

    /// `SET key value EX ttl`. Sub-second TTLs round up to one second; a zero TTL is
    /// refused by Redis (a cached read must expire).
    pub async fn set_raw(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let secs = ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0);
        let mut conn = self.conn.clone();
        redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("EX")
            .arg(secs)
            .exec_async(&mut conn)
            .await?;
        Ok(())
    }

    pub async fn set_json<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let raw = serde_json::to_string(value)?;
        self.set_raw(key, &raw, ttl).await
    }

    /// Deletes full keys; returns how many existed. UNLINK frees memory off the
    /// main thread, so a big value does not stall other clients.
    pub async fn delete(&self, keys: &[String]) -> Result<u64, CacheError> {
        if keys.is_empty() {
            return Ok(0);
        }
        let mut conn = self.conn.clone();
        let deleted: u64 = redis::cmd("UNLINK")
            .arg(keys)
            .query_async(&mut conn)
            .await?;
        Ok(deleted)
    }

    /// Deletes every key matching a full (already prefixed) glob pattern. Walks the
    /// key space with SCAN, never KEYS, which would block the server on a big database.
    pub async fn delete_pattern(&self, pattern: &str) -> Result<u64, CacheError> {
        let mut conn = self.conn.clone();
        let mut cursor: u64 = 0;
        let mut deleted = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT)
                .query_async(&mut conn)
                .await?;
            // Deleting while scanning is safe: SCAN still returns every key that
            // exists for the whole walk, at most some of them twice.
            for batch in keys.chunks(SCAN_COUNT) {
                deleted += self.delete(batch).await?;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }

    /// Seconds to live: -1 without expiry, -2 when the key does not exist.
    pub async fn ttl(&self, key: &str) -> Result<i64, CacheError> {
        let mut conn = self.conn.clone();
        Ok(redis::cmd("TTL").arg(key).query_async(&mut conn).await?)
    }

    async fn get_uncounted(&self, key: &str) -> Result<Option<String>, CacheError> {
        let mut conn = self.conn.clone();
        Ok(redis::cmd("GET").arg(key).query_async(&mut conn).await?)
    }
}
