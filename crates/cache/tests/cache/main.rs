//! Integration tests of ts-cache against a real Redis (`TEST_REDIS_URL`). Each test
//! gets its own key prefix, so they all run in parallel on one server. One test binary
//! with modules: one link instead of one per file.

mod events;
mod fixtures;
mod kv;
mod prices;
mod pubsub;
mod streams;
