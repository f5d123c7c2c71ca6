//! Names of cached reads and what each write invalidates, shared by the api and the
//! workers: every write that makes a cached read stale deletes it here.
use crate::{Cache, CacheError};

pub fn market_list(cache: &Cache, query_fingerprint: &str) -> String {
    cache.key(&format!("cache:markets:list:{query_fingerprint}"))
}
pub fn market(cache: &Cache, id: &str) -> String {
    cache.key(&format!("cache:markets:item:{id}"))
}
pub fn recommendations(cache: &Cache, limit: u32) -> String {
    cache.key(&format!("cache:recommendations:{limit}"))
}
pub fn user(cache: &Cache, telegram_id: i64) -> String {
    cache.key(&format!("cache:users:{telegram_id}"))
}
pub fn positions(cache: &Cache, telegram_id: i64, status: &str) -> String {
    cache.key(&format!("cache:positions:{telegram_id}:{status}"))
}
pub fn allocations(cache: &Cache, telegram_id: i64, active: &str) -> String {
    cache.key(&format!("cache:allocations:{telegram_id}:{active}"))
}
pub fn leaders(cache: &Cache) -> String {
    cache.key("cache:leaders")
}
pub fn trades(cache: &Cache, leader: &str, limit: u32) -> String {
    cache.key(&format!("cache:trades:{leader}:{limit}"))
}
pub fn watched(cache: &Cache) -> String {
    cache.key("cache:watched")
}

/// After a user's positions changed (open, close, TP/SL).
pub async fn positions_changed(cache: &Cache, telegram_id: i64) -> Result<(), CacheError> {
    cache
        .delete_pattern(&positions(cache, telegram_id, "*"))
        .await
        .map(drop)
}

/// After an allocation was created or stopped: the user's list, leader stats, watched set.
pub async fn allocations_changed(cache: &Cache, telegram_id: i64) -> Result<(), CacheError> {
    cache
        .delete_pattern(&allocations(cache, telegram_id, "*"))
        .await?;
    cache
        .delete(&[leaders(cache), watched(cache)])
        .await
        .map(drop)
}

/// After leader trades were stored: trade lists, leader stats, watched set (webhook flag).
pub async fn trades_changed(cache: &Cache) -> Result<(), CacheError> {
    cache.delete_pattern(&cache.key("cache:trades:*")).await?;
    cache
        .delete(&[leaders(cache), watched(cache)])
        .await
        .map(drop)
}

/// After markets were upserted (the api seed path and the workers' poller).
pub async fn markets_changed(cache: &Cache) -> Result<(), CacheError> {
    cache.delete_pattern(&cache.key("cache:markets:*")).await?;
    cache
        .delete_pattern(&cache.key("cache:recommendations:*"))
        .await
        .map(drop)
}

/// The consumer group of the copy-trading listener on the leader-trades stream. The
/// api creates it at start, so trades stored before the workers first run are kept.
pub const COPY_TRADING_GROUP: &str = "copy-trading";
