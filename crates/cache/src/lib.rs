//! Redis for TradingStack: a typed cache with TTLs and invalidation, the price keys,
//! the leader-trade and notification streams, and pub/sub. Every key lives under one
//! prefix (`ts` in production, a unique one per test).

mod blocking;
mod cache;
mod error;
mod events;
pub mod keys;
mod kv;
mod prices;
mod pubsub;
mod stats;
mod streams;

pub use cache::Cache;
pub use error::CacheError;
pub use stats::{CacheStats, CacheStatsSnapshot};
pub use streams::StreamEntry;
