//! Notifications from the API's events stream: position opened / closed, TP/SL hit,
//! copy trade executed; delivered again after the stream drops and after the api
//! restarts; not repeated for what the user just did through the bot.

use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use testkit::TestApi;
use testkit::telegram::FakeUser;
use ts_core::copy::{CreateAllocationRequest, SizingMode};
use ts_core::position::{
    ClosePositionRequest, CloseReason, OpenPositionRequest, Position, PositionSource,
};
use uuid::Uuid;

use crate::copy_trading::{leader, seed_leader};
use crate::stack::{Stack, register, seed_market};

const WAIT: Duration = Duration::from_secs(15);

fn request(telegram_id: i64, amount: Decimal) -> OpenPositionRequest {
    OpenPositionRequest {
        telegram_id,
        market_id: "951".into(),
        outcome: "Yes".into(),
        amount,
        take_profit: None,
        stop_loss: None,
        source: PositionSource::Manual,
        allocation_id: None,
        leader_trade_id: None,
        max_price: None,
    }
}

async fn open(api: &TestApi, telegram_id: i64, amount: Decimal) -> Position {
    api.client
        .open_position(&request(telegram_id, amount), None)
        .await
        .unwrap()
}

async fn close(api: &TestApi, id: Uuid, telegram_id: i64, reason: CloseReason) {
    let req = ClosePositionRequest {
        telegram_id,
        reason,
    };
    api.client.close_position(id, &req, None).await.unwrap();
}

async fn expect(user: &FakeUser, needle: &str) {
    let m = user
        .wait_for(|m| m.text.contains(needle), WAIT)
        .await
        .unwrap();
    assert!(!m.edited);
}

/// Until the bot's follower is connected, events pass unseen (a first connection
/// starts at the newest event): open and close small positions until one shows up.
async fn wait_connected(stack: &Stack, user: &FakeUser) {
    for _ in 0..30 {
        let p = open(&stack.api, user.id(), dec!(1)).await;
        close(&stack.api, p.id, user.id(), CloseReason::Manual).await;
        let seen = user
            .wait_for(
                |m| m.text.contains("Position closed"),
                Duration::from_secs(1),
            )
            .await;
        if seen.is_ok() {
            return;
        }
    }
    panic!("the bot never delivered an event");
}

#[tokio::test]
async fn events_become_messages_and_survive_reconnects() {
    let mut stack = Stack::start().await;
    let wes = stack.user(901, "Wes");
    register(&stack.api, &wes).await;
    seed_market(&stack.api, "951", "Will the dam hold?", 10_000, dec!(0.5)).await;
    wait_connected(&stack, &wes).await;

    let p = open(&stack.api, 901, dec!(10)).await;
    expect(
        &wes,
        "📥 Position opened: $10.00 of Yes in “Will the dam hold?” at 50¢.",
    )
    .await;
    crate::stack::set_prices(&stack.api, "951", dec!(0.6)).await;
    close(&stack.api, p.id, 901, CloseReason::TakeProfit).await;
    expect(
        &wes,
        "🎯 Take-profit hit: Yes in “Will the dam hold?” closed at 60¢. Realised P&L +$2.00.",
    )
    .await;

    // The stream drops: the bot reconnects (after the last id) and later events arrive.
    stack.proxy.cut_connections();
    let p = open(&stack.api, 901, dec!(11)).await;
    expect(&wes, "Position opened: $11.00").await;
    close(&stack.api, p.id, 901, CloseReason::StopLoss).await;
    expect(&wes, "🛑 Stop-loss hit").await;

    // The api goes away and another one comes back on the same data.
    stack.proxy.take_down();
    stack.restart_api().await;
    open(&stack.api, 901, dec!(12)).await;
    expect(&wes, "Position opened: $12.00").await;
}

#[tokio::test]
async fn a_copy_trade_is_announced() {
    let stack = Stack::start().await;
    let xia = stack.user(902, "Xia");
    register(&stack.api, &xia).await;
    seed_market(&stack.api, "951", "Will the dam hold?", 10_000, dec!(0.5)).await;
    let whale = leader('e');
    seed_leader(&stack.api, &whale, "Whale", "0xfeed000009").await;
    let trade = &stack.api.client.trades(Some(&whale), None).await.unwrap()[0];
    let allocation = stack
        .api
        .client
        .create_allocation(
            &CreateAllocationRequest {
                telegram_id: 902,
                leader_address: whale.clone(),
                mode: SizingMode::Fixed,
                amount: dec!(5),
                max_per_trade: None,
                slippage_bps: 100,
            },
            None,
        )
        .await
        .unwrap();
    wait_connected(&stack, &xia).await;

    // What the workers' copy-trading listener does for a leader's trade.
    let copy = OpenPositionRequest {
        source: PositionSource::Copy,
        allocation_id: Some(allocation.id),
        leader_trade_id: Some(trade.id),
        ..request(902, dec!(5))
    };
    stack.api.client.open_position(&copy, None).await.unwrap();
    expect(&xia, "👥 Copy trade executed: bought $5.00 of Yes in “Will the dam hold?” at 50¢, copying 0xeeee…eeee.").await;
}

#[tokio::test]
async fn the_users_own_trade_is_not_announced_twice() {
    let stack = Stack::start().await;
    let yan = stack.user(903, "Yan");
    register(&stack.api, &yan).await;
    seed_market(&stack.api, "951", "Will the dam hold?", 10_000, dec!(0.5)).await;
    wait_connected(&stack, &yan).await;

    yan.send_text("/markets");
    yan.reply().await.unwrap();
    yan.press("Will the dam hold?").unwrap();
    yan.reply().await.unwrap();
    yan.press("Buy Yes").unwrap();
    yan.reply().await.unwrap();
    yan.press("$25.00").unwrap();
    yan.reply().await.unwrap();
    yan.press("Skip").unwrap();
    yan.reply().await.unwrap();
    yan.press("✅ Confirm").unwrap();
    assert!(
        yan.reply()
            .await
            .unwrap()
            .text
            .contains("✅ Position opened")
    );
    // An event from someone else's action still gets through afterwards.
    open(&stack.api, 903, dec!(2)).await;
    let next = yan.reply().await.unwrap();
    assert!(
        next.text.contains("Position opened: $2.00"),
        "{}",
        next.text
    );
}
