//! Shared setup and sample domain values.

use std::time::Duration;

use chrono::Utc;
use testkit::TestRedis;
use ts_cache::Cache;
use ts_core::copy::{Allocation, LeaderTrade, LeaderTradeMessage, SizingMode, TradeSide};
use ts_core::event::Event;
use ts_core::{Decimal, LeaderAddress};
use uuid::Uuid;

/// Keep the `TestRedis` alive for the whole test: dropping it deletes the keys.
pub async fn cache() -> (TestRedis, Cache) {
    let redis = TestRedis::new();
    let cache = Cache::connect(&redis.url, &redis.prefix)
        .await
        .expect("Redis at TEST_REDIS_URL (scripts/test.sh starts one)");
    (redis, cache)
}

/// A plain connection for looking at what the cache stored.
pub async fn raw(redis: &TestRedis) -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis.url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Awaits `fut` or fails the test after 5 s instead of hanging.
pub async fn within<F: Future>(fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(5), fut)
        .await
        .expect("timed out")
}

fn leader() -> LeaderAddress {
    LeaderAddress::parse(&format!("0x{}", "a".repeat(40))).unwrap()
}

pub fn trade_message(n: u32, traceparent: Option<&str>) -> LeaderTradeMessage {
    LeaderTradeMessage {
        trade: LeaderTrade {
            id: Uuid::new_v4(),
            leader_address: leader(),
            transaction_hash: format!("0x{n:064x}"),
            asset: "123".into(),
            condition_id: "0xc".into(),
            side: TradeSide::Buy,
            size: Decimal::new(20, 0),
            price: Decimal::new(5, 1),
            usdc_size: Decimal::new(10, 0),
            outcome: Some("Yes".into()),
            outcome_index: Some(0),
            title: None,
            traded_at: Utc::now(),
            received_at: Utc::now(),
        },
        traceparent: traceparent.map(str::to_owned),
    }
}

pub fn event(telegram_id: i64) -> Event {
    Event::AllocationCreated {
        allocation: Allocation {
            id: Uuid::new_v4(),
            telegram_id,
            leader_address: leader(),
            mode: SizingMode::Fixed,
            amount: Decimal::new(25, 0),
            max_per_trade: None,
            slippage_bps: 200,
            active: true,
            created_at: Utc::now(),
            stopped_at: None,
        },
    }
}
