mod common;

use common::{authed, error_code, http, json, register, trading_setup};
use rust_decimal_macros::dec;
use serde_json::json;
use testkit::TestApi;
use testkit::api::yes_token;
use ts_core::position::{
    ClosePositionRequest, CloseReason, OpenPositionRequest, PositionSource, PositionStatus,
    UpdateTpSlRequest,
};

fn open_req(telegram_id: i64) -> OpenPositionRequest {
    OpenPositionRequest {
        telegram_id,
        market_id: "m1".into(),
        outcome: "Yes".into(),
        amount: dec!(10),
        take_profit: Some(dec!(0.7)),
        stop_loss: Some(dec!(0.3)),
        source: PositionSource::Smart,
        allocation_id: None,
        leader_trade_id: None,
        max_price: None,
    }
}

#[tokio::test]
async fn open_fills_at_the_cached_price_and_close_realises_pnl() {
    let api = TestApi::spawn().await.unwrap();
    trading_setup(&api, 1, dec!(0.5)).await;
    let p = api.client.open_position(&open_req(1), None).await.unwrap();
    assert_eq!(p.entry_price, dec!(0.5));
    assert_eq!(p.size, dec!(20));
    assert_eq!(p.status, PositionStatus::Open);
    assert_eq!(p.token_id, yes_token("m1"));
    assert_eq!(p.market_question, "Will it rain tomorrow?");

    api.set_price(&yes_token("m1"), dec!(0.6)).await.unwrap();
    let listed = api
        .client
        .positions(1, Some(PositionStatus::Open))
        .await
        .unwrap();
    assert_eq!(listed[0].current_price, Some(dec!(0.6)));
    assert_eq!(listed[0].unrealized_pnl, Some(dec!(2)));

    let closed = api
        .client
        .close_position(
            p.id,
            &ClosePositionRequest {
                telegram_id: 1,
                reason: CloseReason::Manual,
            },
            Some("close-1"),
        )
        .await
        .unwrap();
    assert_eq!(closed.status, PositionStatus::Closed);
    assert_eq!(closed.exit_price, Some(dec!(0.6)));
    assert_eq!(closed.realized_pnl, Some(dec!(2)));
    assert_eq!(closed.close_reason, Some(CloseReason::Manual));
    // A retry of that close returns the same result; another close is a conflict.
    let again = api
        .client
        .close_position(
            p.id,
            &ClosePositionRequest {
                telegram_id: 1,
                reason: CloseReason::Manual,
            },
            Some("close-1"),
        )
        .await
        .unwrap();
    assert_eq!(again.realized_pnl, Some(dec!(2)));
    let err = api
        .client
        .close_position(
            p.id,
            &ClosePositionRequest {
                telegram_id: 1,
                reason: CloseReason::Manual,
            },
            Some("close-2"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("position_closed"));
}

#[tokio::test]
async fn no_known_price_is_a_clear_conflict() {
    let api = TestApi::spawn().await.unwrap();
    trading_setup(&api, 1, dec!(0.5)).await;
    let mut req = open_req(1);
    req.outcome = "No".into();
    let err = api.client.open_position(&req, None).await.unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert_eq!(err.code(), Some("no_price"));
    assert!(api.client.positions(1, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_same_idempotency_key_twice_creates_one_position() {
    let api = TestApi::spawn().await.unwrap();
    trading_setup(&api, 1, dec!(0.5)).await;
    let body = serde_json::to_value(open_req(1)).unwrap();
    let send = || {
        authed(http().post(api.url("/api/v1/positions")))
            .header("Idempotency-Key", "key-123")
            .json(&body)
            .send()
    };
    let (s1, first) = json(send().await.unwrap()).await;
    let (s2, second) = json(send().await.unwrap()).await;
    assert_eq!((s1, s2), (201, 200));
    assert_eq!(first["id"], second["id"]);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM positions")
        .fetch_one(api.state.store.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
    // The key reused for a different request is refused.
    let mut other = open_req(1);
    other.amount = dec!(99);
    let err = api
        .client
        .open_position(&other, Some("key-123"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("idempotency_conflict"));
    // Concurrent requests with one key still make one position.
    let same = open_req(1);
    let reqs = (0..8).map(|_| api.client.open_position(&same, Some("key-concurrent")));
    let results = futures::future::join_all(reqs).await;
    let ids: std::collections::HashSet<_> = results.into_iter().map(|r| r.unwrap().id).collect();
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn positions_cannot_be_read_or_changed_through_another_user() {
    let api = TestApi::spawn().await.unwrap();
    trading_setup(&api, 1, dec!(0.5)).await;
    register(&api, 2).await;
    let p = api.client.open_position(&open_req(1), None).await.unwrap();
    assert!(api.client.positions(2, None).await.unwrap().is_empty());
    let err = api
        .client
        .close_position(
            p.id,
            &ClosePositionRequest {
                telegram_id: 2,
                reason: CloseReason::Manual,
            },
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    let err = api
        .client
        .update_tpsl(
            p.id,
            &UpdateTpSlRequest {
                telegram_id: 2,
                take_profit: Some(None),
                stop_loss: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    let still = api.client.positions(1, None).await.unwrap();
    assert_eq!(still[0].status, PositionStatus::Open);
    assert_eq!(still[0].take_profit, Some(dec!(0.7)));
}

#[tokio::test]
async fn tpsl_can_be_set_and_cleared_within_bounds() {
    let api = TestApi::spawn().await.unwrap();
    trading_setup(&api, 1, dec!(0.5)).await;
    let mut req = open_req(1);
    req.take_profit = None;
    req.stop_loss = None;
    let p = api.client.open_position(&req, None).await.unwrap();
    let u = api
        .client
        .update_tpsl(
            p.id,
            &UpdateTpSlRequest {
                telegram_id: 1,
                take_profit: Some(Some(dec!(0.8))),
                stop_loss: Some(Some(dec!(0.2))),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (u.take_profit, u.stop_loss),
        (Some(dec!(0.8)), Some(dec!(0.2)))
    );
    let u = api
        .client
        .update_tpsl(
            p.id,
            &UpdateTpSlRequest {
                telegram_id: 1,
                take_profit: Some(None),
                stop_loss: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (u.take_profit, u.stop_loss),
        (None, Some(dec!(0.2))),
        "null clears, absent keeps"
    );
    let err = api
        .client
        .update_tpsl(
            p.id,
            &UpdateTpSlRequest {
                telegram_id: 1,
                take_profit: Some(Some(dec!(0.4))),
                stop_loss: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(422), Some("validation_error")),
        "TP below entry"
    );
    // Opening with a TP under the fill price is refused too.
    let mut bad = open_req(1);
    bad.take_profit = Some(dec!(0.45));
    bad.stop_loss = None;
    assert_eq!(
        api.client
            .open_position(&bad, None)
            .await
            .unwrap_err()
            .status(),
        Some(422)
    );
}

#[tokio::test]
async fn slippage_guard_and_closed_markets_refuse_fills() {
    let api = TestApi::spawn().await.unwrap();
    trading_setup(&api, 1, dec!(0.5)).await;
    let mut req = open_req(1);
    req.max_price = Some(dec!(0.45));
    let err = api.client.open_position(&req, None).await.unwrap_err();
    assert_eq!(err.code(), Some("price_moved"));
    let mut closed = testkit::api::binary_market("m1", "Will it rain tomorrow?", 50_000.into());
    closed.closed = true;
    api.seed_markets(&[closed]).await.unwrap();
    let (status, body) = json(
        authed(http().post(api.url("/api/v1/positions")))
            .json(&json!({"telegram_id": 1, "market_id": "m1", "outcome": "Yes", "amount": 5}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(error_code(&body), "market_closed");
}
