//! The copy-trading listener and the watched-addresses sync, through the real api.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{NO, Stack, eventually, leader, no_buy};
use rust_decimal_macros::dec;
use tokio::sync::Notify;
use ts_core::copy::SizingMode;
use ts_core::position::{PositionSource, PositionStatus};

#[tokio::test]
async fn a_leader_trade_becomes_one_position_per_follower_mirroring_the_outcome() {
    let stack = Stack::start().await;
    let l = leader('a');
    let fixed = stack.follow(11, &l, SizingMode::Fixed, dec!(25), 200).await;
    let percent = stack
        .follow(12, &l, SizingMode::Percent, dec!(10), 200)
        .await;
    // No slippage allowed: the price (0.45) is above the leader's, so this one is skipped.
    let strict = stack.follow(13, &l, SizingMode::Fixed, dec!(5), 0).await;
    let workers = stack.workers("copy-test").await;
    assert_eq!(stack.price(NO).await, dec!(0.45));

    let mut trade = no_buy(&l, "0x00000000000000c1");
    trade.price = dec!(0.445);
    let receipt = stack.send_webhook(&trade).await;
    assert_eq!(receipt.stored, 1);

    let copied = eventually("both copies", || async {
        let a = stack.api.client.positions(11, None).await.unwrap();
        let b = stack.api.client.positions(12, None).await.unwrap();
        (a.len() == 1 && b.len() == 1).then(|| (a[0].clone(), b[0].clone()))
    })
    .await;
    for (p, alloc, amount) in [
        (&copied.0, &fixed, dec!(25)),
        (&copied.1, &percent, dec!(10)),
    ] {
        assert_eq!(p.token_id, NO, "the leader's own outcome token");
        assert_eq!(p.outcome, "No");
        assert_eq!(p.source, PositionSource::Copy);
        assert_eq!(p.status, PositionStatus::Open);
        assert_eq!(p.amount, amount);
        assert_eq!(p.entry_price, dec!(0.45));
        assert_eq!(p.allocation_id, Some(alloc.id));
    }
    let trade_id = copied.0.leader_trade_id.unwrap();
    let skips = eventually("the skip recorded", || async {
        let skips = stack
            .api
            .state
            .store
            .trading()
            .skips_for_trade(trade_id)
            .await
            .unwrap();
        (!skips.is_empty()).then_some(skips)
    })
    .await;
    assert_eq!(skips.len(), 1);
    assert_eq!(skips[0].0, strict.id);
    assert!(skips[0].1.starts_with("price_moved"), "{skips:?}");
    assert!(
        stack
            .api
            .client
            .positions(13, None)
            .await
            .unwrap()
            .is_empty()
    );
    workers.stop().await;
}

#[tokio::test]
async fn a_listener_killed_before_acknowledging_leaves_one_position_per_allocation() {
    let stack = Stack::start().await;
    let l = leader('b');
    let allocations = [
        stack.follow(21, &l, SizingMode::Fixed, dec!(10), 200).await,
        stack.follow(22, &l, SizingMode::Fixed, dec!(20), 200).await,
    ];
    // The first listener stops dead between processing an entry and acknowledging it.
    let reached = Arc::new(Notify::new());
    let mut config = stack.config("doomed");
    let signal = Arc::clone(&reached);
    config.tunables.before_ack = Some(Arc::new(move || {
        let signal = Arc::clone(&signal);
        Box::pin(async move {
            signal.notify_one();
            std::future::pending::<()>().await;
        })
    }));
    let doomed = workers::spawn(config).await.unwrap();
    stack.price(NO).await;
    stack.send_webhook(&no_buy(&l, "0x00000000000000d1")).await;
    tokio::time::timeout(common::WAIT, reached.notified())
        .await
        .expect("processed");
    doomed.kill().await;

    assert_eq!(stack.unacknowledged().await, 1, "left unacknowledged");

    // A new listener takes the entry over once idle, processes it again, acknowledges.
    let successor = stack.workers("successor").await;
    eventually("the entry acknowledged", || async {
        (stack.unacknowledged().await == 0).then_some(())
    })
    .await;
    for a in &allocations {
        let sql = format!(
            "SELECT count(*) FROM positions WHERE allocation_id = '{}'",
            a.id
        );
        assert_eq!(
            stack.count(&sql).await,
            1,
            "exactly one position for {}",
            a.telegram_id
        );
    }
    assert_eq!(stack.count("SELECT count(*) FROM copy_skips").await, 0);
    successor.stop().await;
}

#[tokio::test]
async fn a_trade_seen_by_the_data_api_poll_and_the_webhook_is_copied_once() {
    let stack = Stack::start().await;
    let l = leader('c');
    stack.follow(31, &l, SizingMode::Fixed, dec!(10), 200).await;
    stack.follow(32, &l, SizingMode::Fixed, dec!(10), 200).await;
    let workers = stack.workers("poll-test").await;
    eventually("the leader polled on the Data API", || async {
        let sync = &workers.status.snapshot()["watched_sync"];
        sync.detail
            .as_deref()
            .is_some_and(|d| d.contains("1 polled"))
            .then_some(())
    })
    .await;
    stack.price(NO).await;

    // The leader trades; no webhook covers them, so the Data API poll finds it.
    let trade = no_buy(&l, "0x00000000000000e1");
    stack.fake.add_activity(trade.clone());
    eventually("both followers copied", || async {
        let a = stack.api.client.positions(31, None).await.unwrap();
        let b = stack.api.client.positions(32, None).await.unwrap();
        (a.len() == 1 && b.len() == 1).then_some(())
    })
    .await;
    // The indexer reports the same trade later: a duplicate.
    let receipt = stack.send_webhook(&trade).await;
    assert_eq!((receipt.stored, receipt.duplicates), (0, 1));
    // Now a webhook covers the leader: the sync stops polling them.
    eventually("the leader no longer polled", || async {
        let sync = &workers.status.snapshot()["watched_sync"];
        sync.detail
            .as_deref()
            .is_some_and(|d| d.contains("0 polled"))
            .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        stack.api.client.trades(Some(&l), None).await.unwrap().len(),
        1
    );
    assert_eq!(stack.count("SELECT count(*) FROM positions").await, 2);
    let stream = stack.api.state.cache.leader_trades_stream();
    assert_eq!(stack.api.state.cache.stream_len(&stream).await.unwrap(), 1);
    workers.stop().await;
}
