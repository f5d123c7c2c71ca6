//! Buttons that must do no harm: someone else's, an old one, one already used, and
//! forged data. Each press gets a clear answer and nothing changes.

use std::time::Duration;

use rust_decimal_macros::dec;
use ts_core::position::PositionStatus;

use crate::copy_trading::{leader, seed_leader};
use crate::stack::{Stack, register, seed_market};

#[tokio::test]
async fn a_foreign_button_is_refused_and_changes_nothing() {
    let stack = Stack::start().await;
    seed_leader(&stack.api, &leader('d'), "Pike", "0xfeed000004").await;
    let (ned, oz) = (stack.user(601, "Ned"), stack.user(602, "Oz"));
    ned.send_text("/copy_trading");
    ned.reply().await.unwrap();
    ned.press("Copy 1. Pike").unwrap();
    ned.reply().await.unwrap();
    ned.press("$50.00").unwrap();
    let confirm = ned.reply().await.unwrap();

    // Oz presses Ned's confirmation (e.g. in a group, or a forwarded message).
    let press = oz.press_on(&confirm, "✅ Start copying").unwrap();
    let answer = oz.answer(&press).await.unwrap();
    assert_eq!(answer.text.as_deref(), Some("This button is not yours."));
    assert!(answer.show_alert);
    ned.expect_silence(Duration::from_millis(300))
        .await
        .unwrap();
    assert!(
        stack
            .api
            .client
            .allocations(602, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        stack
            .api
            .client
            .allocations(601, None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        stack
            .api
            .client
            .get_user(602)
            .await
            .unwrap_err()
            .is_not_found()
    );

    // The owner's button still works.
    ned.press("✅ Start copying").unwrap();
    assert!(ned.reply().await.unwrap().text.contains("now copying Pike"));
    assert_eq!(
        stack
            .api
            .client
            .allocations(601, Some(true))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_used_confirmation_is_stale() {
    let stack = Stack::start().await;
    let pam = stack.user(603, "Pam");
    register(&stack.api, &pam).await;
    seed_market(&stack.api, "601", "Will the ferry run?", 10_000, dec!(0.5)).await;
    pam.send_text("/markets");
    pam.reply().await.unwrap();
    pam.press("Will the ferry run?").unwrap();
    pam.reply().await.unwrap();
    pam.press("Buy Yes").unwrap();
    pam.reply().await.unwrap();
    pam.press("$5.00").unwrap();
    pam.reply().await.unwrap();
    pam.press("Skip").unwrap();
    let confirm = pam.reply().await.unwrap();
    pam.press("✅ Confirm").unwrap();
    pam.reply().await.unwrap();

    // A second tap on the confirmation as it was: refused, one position only.
    let again = pam.press_on(&confirm, "✅ Confirm").unwrap();
    let answer = pam.answer(&again).await.unwrap();
    assert!(answer.text.unwrap().contains("This button has expired"));
    pam.expect_silence(Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(
        stack.api.client.positions(603, None).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn old_and_forged_buttons_are_expired() {
    let stack = Stack::builder()
        .menu_ttl(Duration::from_millis(300))
        .start()
        .await;
    let quin = stack.user(604, "Quin");
    register(&stack.api, &quin).await;
    seed_market(
        &stack.api,
        "602",
        "Will the tram be late?",
        10_000,
        dec!(0.5),
    )
    .await;
    stack
        .api
        .client
        .open_position(
            &ts_core::position::OpenPositionRequest {
                telegram_id: 604,
                market_id: "602".into(),
                outcome: "Yes".into(),
                amount: dec!(5),
                take_profit: None,
                stop_loss: None,
                source: ts_core::position::PositionSource::Manual,
                allocation_id: None,
                leader_trade_id: None,
                max_price: None,
            },
            None,
        )
        .await
        .unwrap();
    quin.send_text("/positions");
    let list = quin.reply().await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;

    let old = quin.press("✖ Close #1").unwrap();
    let answer = quin.answer(&old).await.unwrap();
    assert_eq!(
        answer.text.as_deref(),
        Some("This button has expired, run /positions again.")
    );
    for forged in ["zzzzzzzz:0", "not-a-token", "x"] {
        let press = quin.press_data(&list, forged).unwrap();
        let answer = quin.answer(&press).await.unwrap();
        assert!(answer.text.unwrap().contains("expired"), "{forged}");
    }
    quin.expect_silence(Duration::from_millis(300))
        .await
        .unwrap();
    let open = stack
        .api
        .client
        .positions(604, Some(PositionStatus::Open))
        .await
        .unwrap();
    assert_eq!(open.len(), 1, "nothing was closed");
    assert_eq!(stack.telegram.unanswered_callbacks(), 0);
}
