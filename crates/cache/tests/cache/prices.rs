//! Price keys: stored without TTL, read one by one or with one MGET, announced on
//! the ticks channel.

use futures::StreamExt;
use ts_cache::CacheStatsSnapshot;
use ts_core::Decimal;
use ts_core::market::PriceTick;

use crate::fixtures::{cache, within};

fn tick(token: &str, cents: i64) -> PriceTick {
    PriceTick {
        token_id: token.into(),
        price: Decimal::new(cents, 2),
        at_ms: 1_700_000_000_000,
    }
}

#[tokio::test]
async fn prices_round_trip_without_ttl_and_uncounted() {
    let (_redis, cache) = cache().await;
    let (a, b) = (tick("111", 42), tick("222", 58));
    cache.set_price(&a).await.unwrap();
    cache.set_price(&b).await.unwrap();

    assert_eq!(cache.price_key("111"), cache.key("price:111"));
    assert_eq!(cache.ttl(&cache.price_key("111")).await.unwrap(), -1);
    assert_eq!(cache.get_price("111").await.unwrap(), Some(a.clone()));
    assert_eq!(cache.get_price("333").await.unwrap(), None);

    let ids = ["222", "333", "111"].map(String::from);
    let prices = cache.get_prices(&ids).await.unwrap();
    assert_eq!(prices, vec![Some(b), None, Some(a)]);
    assert!(cache.get_prices(&[]).await.unwrap().is_empty());
    assert_eq!(cache.stats(), CacheStatsSnapshot::default());
}

#[tokio::test]
async fn set_price_publishes_the_tick() {
    let (_redis, cache) = cache().await;
    let mut ticks = cache.subscribe(&cache.key("ticks")).await.unwrap();
    let sent = tick("111", 61);
    cache.set_price(&sent).await.unwrap();

    let json = within(ticks.next()).await.expect("a tick");
    assert_eq!(serde_json::from_str::<PriceTick>(&json).unwrap(), sent);
}
