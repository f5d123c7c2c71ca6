mod common;

use common::{authed, error_code, http, json, register};
use rust_decimal_macros::dec;
use serde_json::json;
use testkit::TestApi;
use testkit::api::TEST_WEBHOOK_SECRET;
use ts_core::LeaderAddress;
use ts_core::copy::{CreateAllocationRequest, SizingMode};

fn leader(c: char) -> LeaderAddress {
    LeaderAddress::parse(&format!("0x{}", c.to_string().repeat(40))).unwrap()
}

fn trade_json(leader: &LeaderAddress, tx: &str, asset: &str, usdc: f64) -> serde_json::Value {
    json!({"proxyWallet": leader.as_str(), "transactionHash": tx, "asset": asset, "conditionId": "0xc0", "side": "BUY",
           "size": usdc * 2.0, "price": 0.5, "usdcSize": usdc, "outcome": "No", "outcomeIndex": 1,
           "timestamp": 1_764_000_000, "pseudonym": "Whale"})
}

#[tokio::test]
async fn allocations_follow_list_stop_and_feed_watched_addresses() {
    let api = TestApi::spawn().await.unwrap();
    register(&api, 3).await;
    let req = CreateAllocationRequest {
        telegram_id: 3,
        leader_address: leader('a'),
        mode: SizingMode::Fixed,
        amount: dec!(25),
        max_per_trade: None,
        slippage_bps: 100,
    };
    assert!(api.client.watched_addresses().await.unwrap().is_empty());
    let a = api
        .client
        .create_allocation(&req, Some("alloc-1"))
        .await
        .unwrap();
    assert!(a.active);
    assert_eq!(
        api.client
            .create_allocation(&req, Some("alloc-1"))
            .await
            .unwrap()
            .id,
        a.id,
        "idempotent retry"
    );
    let err = api
        .client
        .create_allocation(&req, Some("alloc-2"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("already_following"));

    let watched = api.client.watched_addresses().await.unwrap();
    assert_eq!(watched.len(), 1);
    assert_eq!(watched[0].address, leader('a'));
    assert!(!watched[0].has_webhook);
    let leaders = api.client.leaders().await.unwrap();
    assert_eq!(leaders[0].followers, 1);
    assert_eq!(
        api.client.allocations(3, Some(true)).await.unwrap().len(),
        1
    );

    // Only the owner may stop it.
    register(&api, 4).await;
    assert_eq!(
        api.client
            .stop_allocation(a.id, 4)
            .await
            .unwrap_err()
            .status(),
        Some(404)
    );
    let stopped = api.client.stop_allocation(a.id, 3).await.unwrap();
    assert!(!stopped.active && stopped.stopped_at.is_some());
    assert!(
        api.client
            .allocations(3, Some(true))
            .await
            .unwrap()
            .is_empty(),
        "cache invalidated on stop"
    );
    assert!(api.client.watched_addresses().await.unwrap().is_empty());
    assert_eq!(api.client.leaders().await.unwrap()[0].followers, 0);
    // Following again after stopping is allowed.
    api.client.create_allocation(&req, None).await.unwrap();
}

#[tokio::test]
async fn unknown_user_cannot_follow() {
    let api = TestApi::spawn().await.unwrap();
    let (status, body) = json(
        authed(http().post(api.url("/api/v1/copy-trading/allocations")))
            .json(&json!({"telegram_id": 77, "leader_address": leader('b').as_str(), "amount": 5}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(error_code(&body), "not_found");
}

#[tokio::test]
async fn webhook_with_a_bad_signature_is_refused_and_stores_nothing() {
    let api = TestApi::spawn().await.unwrap();
    let body = serde_json::to_vec(&trade_json(&leader('c'), "0xdeadbeef01", "111", 40.0)).unwrap();
    let stream = api.state.cache.leader_trades_stream();
    for signature in [
        None,
        Some("sha256=00"),
        Some("md5=abc"),
        Some(api_client::sign_webhook("other-secret", &body).as_str()),
    ] {
        let mut req = http()
            .post(api.url("/webhooks/indexer"))
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(s) = signature {
            req = req.header("X-Signature", s);
        }
        let (status, resp) = json(req.send().await.unwrap()).await;
        assert_eq!(status, 401, "{signature:?}");
        assert_eq!(error_code(&resp), "invalid_signature");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM leader_trades")
        .fetch_one(api.state.store.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert_eq!(api.state.cache.stream_len(&stream).await.unwrap(), 0);
}

#[tokio::test]
async fn the_same_trade_twice_is_stored_once_with_one_stream_entry() {
    let api = TestApi::spawn().await.unwrap();
    let l = leader('d');
    let body =
        serde_json::to_vec(&json!({"trades": [trade_json(&l, "0xabc0000001", "222", 40.0)]}))
            .unwrap();
    let r1 = api
        .client
        .send_webhook(TEST_WEBHOOK_SECRET, &body)
        .await
        .unwrap();
    let r2 = api
        .client
        .send_webhook(TEST_WEBHOOK_SECRET, &body)
        .await
        .unwrap();
    assert_eq!((r1.stored, r1.duplicates), (1, 0));
    assert_eq!((r2.stored, r2.duplicates), (0, 1));
    // The Data API poll path sees the same trade: still one.
    let r3: serde_json::Value = json(
        authed(http().post(api.url("/api/v1/trades")))
            .json(&trade_json(&l, "0xABC0000001", "222", 40.0))
            .send()
            .await
            .unwrap(),
    )
    .await
    .1;
    assert_eq!(r3["duplicates"], 1);
    let trades = api.client.trades(Some(&l), None).await.unwrap();
    assert_eq!(trades.len(), 1);
    assert_eq!(trades[0].outcome.as_deref(), Some("No"));
    assert_eq!(trades[0].usdc_size, dec!(40));
    let stream = api.state.cache.leader_trades_stream();
    assert_eq!(api.state.cache.stream_len(&stream).await.unwrap(), 1);
    // The leader now exists with stats and a webhook flag.
    let leaders = api.client.leaders().await.unwrap();
    assert_eq!(
        (leaders[0].trades_count, leaders[0].name.as_deref()),
        (1, Some("Whale"))
    );
    // A second trade of the same transaction in another asset is a different trade.
    let other = serde_json::to_vec(&trade_json(&l, "0xabc0000001", "333", 10.0)).unwrap();
    assert_eq!(
        api.client
            .send_webhook(TEST_WEBHOOK_SECRET, &other)
            .await
            .unwrap()
            .stored,
        1
    );
    assert_eq!(
        api.client.trades(Some(&l), None).await.unwrap().len(),
        2,
        "trade list cache invalidated"
    );
    assert_eq!(api.state.cache.stream_len(&stream).await.unwrap(), 2);
}

#[tokio::test]
async fn a_bad_trade_in_a_batch_stores_nothing() {
    let api = TestApi::spawn().await.unwrap();
    let good = trade_json(&leader('e'), "0xfeed000001", "444", 10.0);
    let mut bad = trade_json(&leader('e'), "0xfeed000002", "444", 10.0);
    bad["price"] = json!(7);
    let body = serde_json::to_vec(&json!([good, bad])).unwrap();
    let err = api
        .client
        .send_webhook(TEST_WEBHOOK_SECRET, &body)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert!(err.to_string().contains("trades[1]"), "{err}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM leader_trades")
        .fetch_one(api.state.store.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
}
