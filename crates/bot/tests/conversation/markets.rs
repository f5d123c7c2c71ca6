//! /markets: pages of five, Next/Previous edit the list, a market opens as a card
//! with its outcomes and live prices, and a search narrows the list.

use rust_decimal_macros::dec;

use crate::stack::{Stack, seed_market};

#[tokio::test]
async fn markets_page_through_and_open_with_outcomes_and_prices() {
    let stack = Stack::start().await;
    for i in 1..=7 {
        let q = format!("Will team {i} win the cup?");
        seed_market(
            &stack.api,
            &format!("70{i}"),
            &q,
            1_000 * (10 - i),
            dec!(0.55),
        )
        .await;
    }
    // A live price that differs from the seeded one: the card must show the live one.
    crate::stack::set_prices(&stack.api, "701", dec!(0.62)).await;
    let dee = stack.user(201, "Dee");

    dee.send_text("/markets");
    let first = dee.reply().await.unwrap();
    assert!(first.text.contains("page 1"), "{}", first.text);
    let market_buttons = |m: &testkit::telegram::SentMessage| {
        m.labels()
            .into_iter()
            .filter(|l| l.contains("Will team"))
            .count()
    };
    assert_eq!(market_buttons(&first), 5);
    assert!(first.button("Next ▶").is_some());
    assert!(first.button("◀ Previous").is_none());

    dee.press("Next ▶").unwrap();
    let second = dee.reply().await.unwrap();
    assert!(second.edited, "paging edits the list in place");
    assert_eq!(second.message_id, first.message_id);
    assert!(second.text.contains("page 2"), "{}", second.text);
    assert_eq!(market_buttons(&second), 2);
    assert!(
        second.text.contains("6. "),
        "numbering continues: {}",
        second.text
    );
    assert!(second.button("Next ▶").is_none());

    dee.press("◀ Previous").unwrap();
    let back = dee.reply().await.unwrap();
    assert!(back.text.contains("page 1"), "{}", back.text);

    dee.press("Will team 1 win").unwrap();
    let card = dee.reply().await.unwrap();
    assert!(!card.edited, "a market opens as a new message");
    assert!(
        card.text.contains("Will team 1 win the cup?"),
        "{}",
        card.text
    );
    assert!(card.text.contains("Yes — 62¢"), "{}", card.text);
    assert!(card.text.contains("No — 38¢"), "{}", card.text);
    assert_eq!(card.labels(), ["Buy Yes · 62¢", "Buy No · 38¢"]);
}

#[tokio::test]
async fn markets_search_and_empty_results() {
    let stack = Stack::start().await;
    seed_market(
        &stack.api,
        "801",
        "Will Bitcoin reach 200k?",
        90_000,
        dec!(0.3),
    )
    .await;
    seed_market(
        &stack.api,
        "802",
        "Will it snow in Paris?",
        5_000,
        dec!(0.2),
    )
    .await;
    let eve = stack.user(202, "Eve");

    eve.send_text("/markets bitcoin");
    let found = eve.reply().await.unwrap();
    assert!(found.text.contains("Bitcoin"), "{}", found.text);
    assert!(!found.text.contains("Paris"), "{}", found.text);

    eve.send_text("/markets volcano");
    let none = eve.reply().await.unwrap();
    assert!(
        none.text.contains("No open market matches “volcano”"),
        "{}",
        none.text
    );
    assert!(none.keyboard.is_empty());
}
