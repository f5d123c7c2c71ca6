//! Reads are served from Redis after the first, carry a TTL, and writes invalidate them.
mod common;

use common::{authed, http, json, trading_setup};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use testkit::TestApi;
use testkit::api::{binary_market, no_token, yes_token};
use ts_core::position::OpenPositionRequest;
use ts_core::position::PositionSource;

#[tokio::test]
async fn market_list_pages_searches_and_is_cached() {
    let api = TestApi::spawn().await.unwrap();
    let markets: Vec<_> = (1..=5)
        .map(|i| {
            binary_market(
                &format!("m{i}"),
                &format!("Question number {i}?"),
                Decimal::from(i * 1000),
            )
        })
        .collect();
    api.seed_markets(&markets).await.unwrap();

    let page1 = api
        .client
        .list_markets(&api_client::MarketQuery {
            limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<_> = page1.markets.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["m5", "m4"], "highest volume first");
    let page2 = api
        .client
        .list_markets(&api_client::MarketQuery {
            limit: Some(2),
            cursor: page1.next_cursor.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page2
            .markets
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>(),
        ["m3", "m2"]
    );
    let page3 = api
        .client
        .list_markets(&api_client::MarketQuery {
            limit: Some(2),
            cursor: page2.next_cursor.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page3.markets.len(), 1);
    assert!(page3.next_cursor.is_none(), "last page has no cursor");
    let found = api
        .client
        .list_markets(&api_client::MarketQuery {
            search: Some("number 3".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.markets.len(), 1);
    assert_eq!(found.markets[0].outcomes[0].token_id, yes_token("m3"));

    // The same read again: a hit, served from Redis.
    let q = api_client::MarketQuery {
        limit: Some(3),
        ..Default::default()
    };
    api.client.list_markets(&q).await.unwrap();
    let before = api.state.cache.stats();
    let again = api.client.list_markets(&q).await.unwrap();
    let after = api.state.cache.stats();
    assert_eq!(after.hits, before.hits + 1, "repeated read is a cache hit");
    assert_eq!(after.misses, before.misses);
    assert_eq!(again.markets.len(), 3);
    let (_, metrics_text) = {
        let r = http().get(api.url("/metrics")).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert!(
        metrics_text.contains("ts_cache_hits_total"),
        "{metrics_text}"
    );

    // Every cached key carries a TTL.
    let keys = scan(&api, &format!("{}:cache:*", api.redis.prefix)).await;
    assert!(!keys.is_empty());
    for k in &keys {
        let ttl = api.state.cache.ttl(k).await.unwrap();
        assert!(ttl > 0 && ttl <= 30, "{k} has TTL {ttl}");
    }

    // A market upsert (the poller's write) invalidates the lists.
    let mut renamed = binary_market("m5", "Renamed question?", Decimal::from(5000));
    renamed.volume = Decimal::from(5000);
    api.seed_markets(&[renamed]).await.unwrap();
    assert!(
        scan(&api, &format!("{}:cache:markets:*", api.redis.prefix))
            .await
            .is_empty()
    );
    let fresh = api.client.list_markets(&q).await.unwrap();
    assert_eq!(fresh.markets[0].question, "Renamed question?");
}

async fn scan(api: &TestApi, pattern: &str) -> Vec<String> {
    let client = redis::Client::open(api.redis.url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let mut keys: Vec<String> = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await
            .unwrap();
        keys.extend(batch);
        if next == 0 {
            return keys;
        }
        cursor = next;
    }
}

#[tokio::test]
async fn market_detail_carries_live_prices() {
    let api = TestApi::spawn().await.unwrap();
    api.seed_markets(&[binary_market("m9", "Live?", Decimal::from(10))])
        .await
        .unwrap();
    api.set_price(&no_token("m9"), dec!(0.31)).await.unwrap();
    let m = api.client.get_market("m9").await.unwrap();
    assert_eq!(
        m.outcome("No").unwrap().price,
        Some(dec!(0.31)),
        "live tick wins"
    );
    assert_eq!(
        m.outcome("Yes").unwrap().price,
        Some(dec!(0.55)),
        "stored price otherwise"
    );
}

#[tokio::test]
async fn opening_a_position_invalidates_the_positions_read() {
    let api = TestApi::spawn().await.unwrap();
    trading_setup(&api, 11, dec!(0.5)).await;
    assert!(api.client.positions(11, None).await.unwrap().is_empty());
    let hits = api.state.cache.stats().hits;
    assert!(api.client.positions(11, None).await.unwrap().is_empty());
    assert_eq!(
        api.state.cache.stats().hits,
        hits + 1,
        "second read is cached"
    );
    let req = OpenPositionRequest {
        telegram_id: 11,
        market_id: "m1".into(),
        outcome: "Yes".into(),
        amount: dec!(10),
        take_profit: None,
        stop_loss: None,
        source: PositionSource::Manual,
        allocation_id: None,
        leader_trade_id: None,
        max_price: None,
    };
    api.client.open_position(&req, None).await.unwrap();
    assert_eq!(
        api.client.positions(11, None).await.unwrap().len(),
        1,
        "the write invalidated the cached empty list"
    );
    let (status, body) = json(
        authed(http().get(api.url("/api/v1/users/11/positions?status=open")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 1);
}
