//! /smart_trading — seed scenario 2, steps 1-5: recommendations with their reason →
//! market → outcome → amount (+ TP/SL) → confirm → position stored.

use rust_decimal_macros::dec;
use ts_core::position::{PositionSource, PositionStatus};

use crate::stack::{Stack, seed_market};

#[tokio::test]
async fn scenario_2_buy_a_recommendation_with_tpsl() {
    let stack = Stack::start().await;
    seed_market(
        &stack.api,
        "501",
        "Will the Fed cut rates in March?",
        2_000_000,
        dec!(0.62),
    )
    .await;
    seed_market(
        &stack.api,
        "502",
        "Will it snow in Lisbon?",
        3_000,
        dec!(0.95),
    )
    .await;
    let kim = stack.user(501, "Kim");

    // 1. Recommendations, each with its reason.
    kim.send_text("/smart_trading");
    let picks = kim.reply().await.unwrap();
    assert!(
        picks.text.contains("1. Will the Fed cut rates in March?"),
        "{}",
        picks.text
    );
    assert!(picks.text.contains("⭐ Yes at 62¢"), "{}", picks.text);
    assert!(
        picks.text.contains("Why: Yes at 0.62 with $2.0M volume"),
        "{}",
        picks.text
    );
    assert!(
        !picks.text.contains("Lisbon"),
        "a near-certainty is not recommended"
    );

    // 2. The market, the suggested outcome marked.
    kim.press("1. Will the Fed").unwrap();
    let card = kim.reply().await.unwrap();
    assert!(
        card.text.contains("• Yes — 62¢ ⭐ suggested"),
        "{}",
        card.text
    );
    assert_eq!(card.labels(), ["Buy Yes · 62¢", "Buy No · 38¢"]);

    // 3. The outcome: amount presets.
    kim.press("Buy Yes · 62¢").unwrap();
    let amounts = kim.reply().await.unwrap();
    assert!(amounts.edited);
    assert!(
        amounts
            .text
            .contains("put on Yes in “Will the Fed cut rates in March?”"),
        "{}",
        amounts.text
    );

    // 4. The amount, then TP/SL typed.
    kim.press("$10.00").unwrap();
    let tpsl = kim.reply().await.unwrap();
    assert_eq!(tpsl.labels(), ["Skip", "🎯 Set TP/SL", "✖ Cancel"]);
    kim.press("🎯 Set TP/SL").unwrap();
    kim.reply().await.unwrap();
    kim.send_text("0.5 0.4");
    let refused = kim.reply().await.unwrap();
    assert!(
        refused
            .text
            .contains("must be above the current price 0.62"),
        "{}",
        refused.text
    );
    kim.send_text("0.8 0.5");
    let confirm = kim.reply().await.unwrap();
    assert!(
        confirm.text.contains("Buy $10.00 of Yes"),
        "{}",
        confirm.text
    );
    assert!(
        confirm.text.contains("Take-profit 0.8 · Stop-loss 0.5"),
        "{}",
        confirm.text
    );

    // 5. Confirm: the position is stored with its TP/SL, as a smart trade.
    kim.press("✅ Confirm").unwrap();
    let done = kim.reply().await.unwrap();
    assert!(
        done.edited && done.text.contains("✅ Position opened"),
        "{done:?}"
    );
    let positions = stack
        .api
        .client
        .positions(501, Some(PositionStatus::Open))
        .await
        .unwrap();
    assert_eq!(positions.len(), 1);
    let p = &positions[0];
    assert_eq!((p.market_id.as_str(), p.outcome.as_str()), ("501", "Yes"));
    assert_eq!((p.amount, p.entry_price), (dec!(10), dec!(0.62)));
    assert_eq!(
        (p.take_profit, p.stop_loss),
        (Some(dec!(0.8)), Some(dec!(0.5)))
    );
    assert_eq!(p.source, PositionSource::Smart);
    assert_eq!(stack.telegram.unanswered_callbacks(), 0);
}

#[tokio::test]
async fn a_typed_amount_and_no_tpsl() {
    let stack = Stack::start().await;
    seed_market(
        &stack.api,
        "503",
        "Will the launch succeed?",
        400_000,
        dec!(0.45),
    )
    .await;
    let lou = stack.user(502, "Lou");
    lou.send_text("/smart_trading");
    lou.reply().await.unwrap();
    lou.press("1. Will the launch").unwrap();
    lou.reply().await.unwrap();
    lou.press("Buy No").unwrap();
    lou.reply().await.unwrap();
    lou.press("✏️ Other amount").unwrap();
    lou.reply().await.unwrap();
    lou.send_text("3.333");
    assert!(lou.reply().await.unwrap().text.contains("two decimals"));
    lou.send_text("7");
    lou.reply().await.unwrap();
    lou.press("Skip").unwrap();
    let confirm = lou.reply().await.unwrap();
    assert!(confirm.text.contains("Buy $7.00 of No"), "{}", confirm.text);
    assert!(
        confirm.text.contains("Take-profit none · Stop-loss none"),
        "{}",
        confirm.text
    );
    lou.press("✅ Confirm").unwrap();
    lou.reply().await.unwrap();
    let p = &stack.api.client.positions(502, None).await.unwrap()[0];
    assert_eq!((p.outcome.as_str(), p.amount), ("No", dec!(7)));
    assert_eq!((p.take_profit, p.stop_loss), (None, None));
}

#[tokio::test]
async fn cancel_buys_nothing() {
    let stack = Stack::start().await;
    seed_market(&stack.api, "504", "Will the vote pass?", 70_000, dec!(0.5)).await;
    let max = stack.user(503, "Max");
    max.send_text("/smart_trading");
    max.reply().await.unwrap();
    max.press("1. Will the vote").unwrap();
    max.reply().await.unwrap();
    max.press("Buy Yes").unwrap();
    max.reply().await.unwrap();
    max.press("$5.00").unwrap();
    max.reply().await.unwrap();
    max.press("Skip").unwrap();
    max.reply().await.unwrap();
    max.press("✖ Cancel").unwrap();
    let cancelled = max.reply().await.unwrap();
    assert!(
        cancelled.text.contains("Nothing was bought"),
        "{}",
        cancelled.text
    );
    assert!(
        stack
            .api
            .client
            .positions(503, None)
            .await
            .unwrap()
            .is_empty()
    );
}
