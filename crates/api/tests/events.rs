mod common;

use std::time::Duration;

use common::trading_setup;
use futures::StreamExt;
use rust_decimal_macros::dec;
use testkit::TestApi;
use ts_core::event::Event;
use ts_core::position::{ClosePositionRequest, CloseReason, OpenPositionRequest, PositionSource};

fn req() -> OpenPositionRequest {
    OpenPositionRequest {
        telegram_id: 9,
        market_id: "m1".into(),
        outcome: "Yes".into(),
        amount: dec!(4),
        take_profit: None,
        stop_loss: None,
        source: PositionSource::Manual,
        allocation_id: None,
        leader_trade_id: None,
        max_price: None,
    }
}

#[tokio::test]
async fn events_stream_notifies_and_resumes_with_last_event_id() {
    let api = TestApi::spawn().await.unwrap();
    trading_setup(&api, 9, dec!(0.5)).await;
    let mut events = Box::pin(api.client.events(None).await.unwrap());
    let p = api.client.open_position(&req(), None).await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match &first.event {
        Event::PositionOpened { position } => assert_eq!(position.id, p.id),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(first.event.telegram_id(), 9);
    drop(events);

    // While nobody listens, the position closes with a TP; a reconnect gets it.
    api.client
        .close_position(
            p.id,
            &ClosePositionRequest {
                telegram_id: 9,
                reason: CloseReason::TakeProfit,
            },
            None,
        )
        .await
        .unwrap();
    let mut resumed = Box::pin(api.client.events(Some(&first.id)).await.unwrap());
    let missed = tokio::time::timeout(Duration::from_secs(10), resumed.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match missed.event {
        Event::TpSlHit { position } => {
            assert_eq!(position.close_reason, Some(CloseReason::TakeProfit))
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn shutdown_ends_open_event_streams() {
    let api = TestApi::spawn().await.unwrap();
    let mut events = Box::pin(api.client.events(None).await.unwrap());
    // A stopped api must not wait forever for its event subscribers.
    tokio::time::timeout(Duration::from_secs(10), api.stop())
        .await
        .expect("graceful shutdown finished")
        .unwrap();
    let end = tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .unwrap();
    assert!(end.is_none() || end.unwrap().is_err(), "the stream ended");
}
