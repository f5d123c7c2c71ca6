//! The TP/SL monitor: a price pushed over the market socket closes the position through
//! the api, once.

mod common;

use std::time::Duration;

use common::{MARKET, Stack, YES, eventually};
use futures::StreamExt;
use rust_decimal_macros::dec;
use ts_core::event::Event;
use ts_core::position::{
    CloseReason, OpenPositionRequest, PositionSource, PositionStatus, UpdateTpSlRequest,
};

#[tokio::test]
async fn crossing_a_threshold_closes_the_position_exactly_once() {
    let stack = Stack::start().await;
    let workers = stack.workers("tpsl-test").await;
    stack.user(41).await;
    stack.price(YES).await;
    let open = |tp, sl| OpenPositionRequest {
        telegram_id: 41,
        market_id: MARKET.into(),
        outcome: "Yes".into(),
        amount: dec!(10),
        take_profit: tp,
        stop_loss: sl,
        source: PositionSource::Manual,
        allocation_id: None,
        leader_trade_id: None,
        max_price: None,
    };
    let take = stack
        .api
        .client
        .open_position(&open(Some(dec!(0.6)), Some(dec!(0.4))), None)
        .await
        .unwrap();
    let stop = stack
        .api
        .client
        .open_position(&open(None, Some(dec!(0.5))), None)
        .await
        .unwrap();
    let patched = stack
        .api
        .client
        .open_position(&open(None, None), None)
        .await
        .unwrap();
    // Thresholds set after opening reach the monitor through the event stream.
    stack
        .api
        .client
        .update_tpsl(
            patched.id,
            &UpdateTpSlRequest {
                telegram_id: 41,
                take_profit: Some(Some(dec!(0.62))),
                stop_loss: None,
            },
        )
        .await
        .unwrap();
    eventually("three positions armed", || async {
        let monitor = &workers.status.snapshot()["tpsl_monitor"];
        monitor
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("3 "))
            .then_some(())
    })
    .await;
    let mut events = Box::pin(stack.api.client.events(None).await.unwrap());

    stack.fake.push_price_change(YES, dec!(0.61));
    let closed = eventually("the take-profit close", || async {
        let p = stack
            .api
            .client
            .positions(41, Some(PositionStatus::Closed))
            .await
            .unwrap();
        (!p.is_empty()).then_some(p)
    })
    .await;
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].id, take.id);
    assert_eq!(closed[0].close_reason, Some(CloseReason::TakeProfit));
    assert_eq!(closed[0].exit_price, Some(dec!(0.61)));

    stack.fake.push_price_change(YES, dec!(0.63));
    stack.fake.push_price_change(YES, dec!(0.45));
    let closed = eventually("all three closed", || async {
        let p = stack
            .api
            .client
            .positions(41, Some(PositionStatus::Closed))
            .await
            .unwrap();
        (p.len() == 3).then_some(p)
    })
    .await;
    let reason = |id| closed.iter().find(|p| p.id == id).unwrap().close_reason;
    assert_eq!(reason(patched.id), Some(CloseReason::TakeProfit));
    assert_eq!(reason(stop.id), Some(CloseReason::StopLoss));

    // One TP/SL notification per position, and no other close.
    let mut hits = Vec::new();
    while hits.len() < 3 {
        let envelope = tokio::time::timeout(common::WAIT, events.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        match envelope.event {
            Event::TpSlHit { position } => hits.push(position.id),
            Event::PositionClosed { position } => panic!("closed without TP/SL: {position:?}"),
            _ => {}
        }
    }
    hits.sort();
    let mut expected = vec![take.id, stop.id, patched.id];
    expected.sort();
    assert_eq!(hits, expected);
    stack.fake.push_price_change(YES, dec!(0.7));
    stack.fake.push_price_change(YES, dec!(0.3));
    let extra = tokio::time::timeout(Duration::from_millis(500), events.next()).await;
    assert!(extra.is_err(), "nothing more happens: {extra:?}");
    workers.stop().await;
}
