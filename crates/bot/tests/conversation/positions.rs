//! /positions: open positions with unrealised P&L; TP/SL typed in and stored; closing
//! asks for confirmation, "keep it open" keeps it, "yes" closes it in the API.

use rust_decimal_macros::dec;
use testkit::TestApi;
use ts_core::position::{OpenPositionRequest, Position, PositionSource, PositionStatus};

use crate::stack::{Stack, register, seed_market, set_prices};

async fn open(
    api: &TestApi,
    telegram_id: i64,
    market: &str,
    amount: rust_decimal::Decimal,
) -> Position {
    api.client
        .open_position(
            &OpenPositionRequest {
                telegram_id,
                market_id: market.into(),
                outcome: "Yes".into(),
                amount,
                take_profit: None,
                stop_loss: None,
                source: PositionSource::Manual,
                allocation_id: None,
                leader_trade_id: None,
                max_price: None,
            },
            None,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn positions_show_unrealised_pnl_and_take_tpsl() {
    let stack = Stack::start().await;
    let fay = stack.user(301, "Fay");
    register(&stack.api, &fay).await;
    seed_market(
        &stack.api,
        "901",
        "Will it rain tomorrow?",
        50_000,
        dec!(0.5),
    )
    .await;
    let position = open(&stack.api, 301, "901", dec!(10)).await;
    set_prices(&stack.api, "901", dec!(0.6)).await;

    fay.send_text("/positions");
    let list = fay.reply().await.unwrap();
    assert!(
        list.text.contains("Yes — Will it rain tomorrow?"),
        "{}",
        list.text
    );
    assert!(
        list.text.contains("$10.00 at 50¢ → now 60¢"),
        "{}",
        list.text
    );
    assert!(list.text.contains("P&L +$2.00 (+20.0%)"), "{}", list.text);
    assert!(
        list.text.contains("Total unrealised P&L: +$2.00"),
        "{}",
        list.text
    );
    assert_eq!(list.labels(), ["🎯 TP/SL #1", "✖ Close #1"]);

    fay.press("🎯 TP/SL #1").unwrap();
    let prompt = fay.reply().await.unwrap();
    assert!(
        prompt.text.contains("take-profit and stop-loss"),
        "{}",
        prompt.text
    );

    // Bad input: a clear reply, and the bot still waits for the values.
    fay.send_text("soon");
    let bad = fay.reply().await.unwrap();
    assert!(bad.text.contains("Send two values"), "{}", bad.text);
    // Values the API refuses (TP below the 0.5 entry): its message is shown.
    fay.send_text("0.45 0.3");
    let refused = fay.reply().await.unwrap();
    assert!(refused.text.starts_with("❌"), "{}", refused.text);
    assert!(
        refused.text.contains("must be above the entry price"),
        "{}",
        refused.text
    );

    fay.send_text("80% 0.4");
    let done = fay.reply().await.unwrap();
    assert!(
        done.text.contains("Take-profit 0.8 · Stop-loss 0.4"),
        "{}",
        done.text
    );
    let stored = &stack
        .api
        .client
        .positions(301, Some(PositionStatus::Open))
        .await
        .unwrap()[0];
    assert_eq!(stored.id, position.id);
    assert_eq!(
        (stored.take_profit, stored.stop_loss),
        (Some(dec!(0.8)), Some(dec!(0.4)))
    );

    // Back to idle: plain text is no longer taken as TP/SL.
    fay.send_text("0.9 0.1");
    assert!(fay.reply().await.unwrap().text.contains("/help"));

    // /tpsl lists the same position with its values; "none" clears them.
    fay.send_text("/tpsl");
    let overview = fay.reply().await.unwrap();
    assert!(
        overview.text.contains("Take-profit 0.8 · Stop-loss 0.4"),
        "{}",
        overview.text
    );
    fay.press("🎯 #1").unwrap();
    fay.reply().await.unwrap();
    fay.send_text("none");
    assert!(
        fay.reply()
            .await
            .unwrap()
            .text
            .contains("Take-profit none · Stop-loss none")
    );
    let stored = &stack
        .api
        .client
        .positions(301, Some(PositionStatus::Open))
        .await
        .unwrap()[0];
    assert_eq!((stored.take_profit, stored.stop_loss), (None, None));
}

#[tokio::test]
async fn closing_asks_for_confirmation() {
    let stack = Stack::start().await;
    let gus = stack.user(302, "Gus");
    register(&stack.api, &gus).await;
    seed_market(
        &stack.api,
        "902",
        "Will the bridge open?",
        20_000,
        dec!(0.4),
    )
    .await;
    let position = open(&stack.api, 302, "902", dec!(8)).await;
    set_prices(&stack.api, "902", dec!(0.5)).await;

    gus.send_text("/positions");
    gus.reply().await.unwrap();
    gus.press("✖ Close #1").unwrap();
    let confirm = gus.reply().await.unwrap();
    assert!(
        confirm.text.contains("Close Yes — Will the bridge open?"),
        "{}",
        confirm.text
    );
    assert_eq!(confirm.labels(), ["✅ Yes, close it", "↩ Keep it open"]);

    // Cancel: the message says so and the position stays open.
    gus.press("↩ Keep it open").unwrap();
    let kept = gus.reply().await.unwrap();
    assert!(kept.edited && kept.text.contains("Kept open"), "{kept:?}");
    assert!(kept.keyboard.is_empty());
    let open_now = stack
        .api
        .client
        .positions(302, Some(PositionStatus::Open))
        .await
        .unwrap();
    assert_eq!(open_now.len(), 1);

    gus.press("✖ Close #1").unwrap();
    gus.reply().await.unwrap();
    let press = gus.press("✅ Yes, close it").unwrap();
    let closed = gus.reply().await.unwrap();
    assert!(closed.edited, "the confirmation turns into the result");
    assert!(
        closed
            .text
            .contains("✅ Closed Yes — Will the bridge open? at 50¢"),
        "{}",
        closed.text
    );
    assert!(
        closed.text.contains("Realised P&L +$2.00"),
        "{}",
        closed.text
    );
    assert_eq!(gus.answer(&press).await.unwrap().text, None);
    let all = stack.api.client.positions(302, None).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, position.id);
    assert_eq!(all[0].status, PositionStatus::Closed);
    assert_eq!(all[0].exit_price, Some(dec!(0.5)));

    gus.send_text("/positions");
    assert!(
        gus.reply()
            .await
            .unwrap()
            .text
            .contains("no open positions")
    );
    assert_eq!(stack.telegram.unanswered_callbacks(), 0);
}

#[tokio::test]
async fn a_long_list_is_cut_but_the_total_counts_every_position() {
    let stack = Stack::start().await;
    let ivy = stack.user(303, "Ivy");
    register(&stack.api, &ivy).await;
    seed_market(
        &stack.api,
        "903",
        "Will the river flood?",
        30_000,
        dec!(0.5),
    )
    .await;
    for _ in 0..12 {
        open(&stack.api, 303, "903", dec!(5)).await;
    }
    set_prices(&stack.api, "903", dec!(0.6)).await;
    ivy.send_text("/positions");
    let list = ivy.reply().await.unwrap();
    assert!(list.text.contains("10. Yes"), "{}", list.text);
    assert!(!list.text.contains("11. Yes"), "{}", list.text);
    assert!(
        list.text.contains("…and 2 more positions not shown."),
        "{}",
        list.text
    );
    // 12 × 10 shares × +0.10
    assert!(
        list.text.contains("Total unrealised P&L: +$12.00"),
        "{}",
        list.text
    );
    assert_eq!(list.labels().len(), 20);
}
