//! Test helpers: per-test Postgres databases and Redis key spaces, and (later) local
//! fakes of every outside service, so the whole system is tested on one machine.

pub mod api;
pub mod db;
pub mod otlp;
pub mod polymarket;
pub mod redis;
pub mod telegram;

pub use api::TestApi;
pub use db::TestDatabase;
pub use redis::TestRedis;
