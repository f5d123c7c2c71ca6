//! /copy_trading — seed scenario 1, steps 1-4: leaders with stats → choose one →
//! amount → confirm → allocation stored. Then "My copies" and stopping with a
//! confirmation.

use rust_decimal_macros::dec;
use serde_json::json;
use testkit::TestApi;
use testkit::api::TEST_WEBHOOK_SECRET;
use ts_core::LeaderAddress;
use ts_core::copy::SizingMode;

use crate::stack::Stack;

pub fn leader(c: char) -> LeaderAddress {
    LeaderAddress::parse(&format!("0x{}", c.to_string().repeat(40))).unwrap()
}

/// A leader appears once the indexer webhook delivers one of their trades.
pub async fn seed_leader(api: &TestApi, address: &LeaderAddress, pseudonym: &str, tx: &str) {
    let trade = json!({
        "proxyWallet": address.as_str(), "transactionHash": tx, "asset": "5551",
        "conditionId": "0xc0", "side": "BUY", "size": 80.0, "price": 0.5, "usdcSize": 40.0,
        "outcome": "Yes", "outcomeIndex": 0, "timestamp": 1_764_000_000, "pseudonym": pseudonym,
    });
    let receipt = api
        .client
        .send_webhook(TEST_WEBHOOK_SECRET, &serde_json::to_vec(&trade).unwrap())
        .await
        .unwrap();
    assert_eq!(receipt.stored, 1);
}

#[tokio::test]
async fn scenario_1_copy_a_leader_with_a_preset_amount() {
    let stack = Stack::start().await;
    let whale = leader('a');
    seed_leader(&stack.api, &whale, "Whale", "0xfeed000001").await;
    let hal = stack.user(401, "Hal");

    // 1. /copy_trading lists the leaders with their stats.
    hal.send_text("/copy_trading");
    let leaders = hal.reply().await.unwrap();
    assert!(
        leaders.text.contains("1. Whale (0xaaaa…aaaa)"),
        "{}",
        leaders.text
    );
    assert!(
        leaders.text.contains("1 trades · $40 volume · 0 followers"),
        "{}",
        leaders.text
    );
    assert_eq!(
        leaders.labels(),
        ["Copy 1. Whale (0xaaaa…aaaa)", "📋 My copies"]
    );

    // 2. Choose the leader: amount presets.
    hal.press("Copy 1. Whale").unwrap();
    let amounts = hal.reply().await.unwrap();
    assert!(
        amounts.text.contains("each copied trade of Whale"),
        "{}",
        amounts.text
    );
    assert_eq!(
        amounts.labels(),
        [
            "$5.00",
            "$10.00",
            "$25.00",
            "$50.00",
            "✏️ Other amount",
            "✖ Cancel"
        ]
    );

    // 3. An amount: a confirmation.
    hal.press("$25.00").unwrap();
    let confirm = hal.reply().await.unwrap();
    assert!(confirm.edited);
    assert!(
        confirm
            .text
            .contains("Copy every trade of Whale (0xaaaa…aaaa) with $25.00 per trade"),
        "{}",
        confirm.text
    );

    // 4. Confirm: the allocation is stored.
    hal.press("✅ Start copying").unwrap();
    let done = hal.reply().await.unwrap();
    assert!(
        done.text.contains("You are now copying Whale"),
        "{}",
        done.text
    );
    let stored = stack.api.client.allocations(401, Some(true)).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].leader_address, whale);
    assert_eq!(stored[0].mode, SizingMode::Fixed);
    assert_eq!(stored[0].amount, dec!(25));
    assert!(
        stack.api.client.get_user(401).await.is_ok(),
        "registered on the way"
    );
    assert_eq!(stack.telegram.unanswered_callbacks(), 0);
}

#[tokio::test]
async fn a_typed_amount_is_validated_then_used() {
    let stack = Stack::start().await;
    seed_leader(&stack.api, &leader('b'), "Shark", "0xfeed000002").await;
    let ida = stack.user(402, "Ida");

    ida.send_text("/copy_trading");
    ida.reply().await.unwrap();
    ida.press("Copy 1. Shark").unwrap();
    ida.reply().await.unwrap();
    ida.press("✏️ Other amount").unwrap();
    let prompt = ida.reply().await.unwrap();
    assert!(
        prompt.text.contains("Send the amount in USDC"),
        "{}",
        prompt.text
    );

    ida.send_text("lots");
    assert!(ida.reply().await.unwrap().text.contains("is not an amount"));
    ida.send_text("0.5");
    assert!(ida.reply().await.unwrap().text.contains("out of range"));
    ida.send_text("$12.50");
    let confirm = ida.reply().await.unwrap();
    assert!(
        confirm.text.contains("with $12.50 per trade"),
        "{}",
        confirm.text
    );
    ida.press("✅ Start copying").unwrap();
    ida.reply().await.unwrap();
    let stored = stack.api.client.allocations(402, Some(true)).await.unwrap();
    assert_eq!(stored[0].amount, dec!(12.5));
}

#[tokio::test]
async fn stopping_a_copy_asks_for_confirmation() {
    let stack = Stack::start().await;
    seed_leader(&stack.api, &leader('c'), "Orca", "0xfeed000003").await;
    let jo = stack.user(403, "Jo");
    jo.send_text("/copy_trading");
    jo.reply().await.unwrap();
    jo.press("Copy 1. Orca").unwrap();
    jo.reply().await.unwrap();
    jo.press("$10.00").unwrap();
    jo.reply().await.unwrap();
    jo.press("✅ Start copying").unwrap();
    jo.reply().await.unwrap();

    jo.send_text("/copy_trading");
    jo.reply().await.unwrap();
    jo.press("📋 My copies").unwrap();
    let copies = jo.reply().await.unwrap();
    assert!(
        copies.text.contains("1. Orca (0xcccc…cccc)"),
        "{}",
        copies.text
    );
    assert!(copies.text.contains("$10.00 per trade"), "{}", copies.text);

    jo.press("⏹ Stop 1. Orca").unwrap();
    let confirm = jo.reply().await.unwrap();
    assert!(
        confirm.text.contains("Stop copying Orca"),
        "{}",
        confirm.text
    );
    jo.press("↩ Keep copying").unwrap();
    assert!(
        jo.reply()
            .await
            .unwrap()
            .text
            .contains("Still copying Orca")
    );
    assert_eq!(
        stack
            .api
            .client
            .allocations(403, Some(true))
            .await
            .unwrap()
            .len(),
        1
    );

    jo.press("⏹ Stop 1. Orca").unwrap();
    jo.reply().await.unwrap();
    jo.press("✅ Yes, stop").unwrap();
    let stopped = jo.reply().await.unwrap();
    assert!(
        stopped.edited && stopped.text.contains("Stopped copying Orca"),
        "{stopped:?}"
    );
    assert!(
        stack
            .api
            .client
            .allocations(403, Some(true))
            .await
            .unwrap()
            .is_empty()
    );

    jo.press("📋 My copies").unwrap();
    assert!(
        jo.reply()
            .await
            .unwrap()
            .text
            .contains("not copying anyone")
    );
}
