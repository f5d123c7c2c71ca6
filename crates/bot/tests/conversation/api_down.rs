//! With the API down the user is told "unavailable, try again" (no silence, no
//! crash), and the bot works again once an api is back behind the same URL.

use bot::texts::UNAVAILABLE;
use rust_decimal_macros::dec;

use crate::stack::{Stack, seed_market};

#[tokio::test]
async fn the_user_is_told_and_the_bot_recovers() {
    let mut stack = Stack::start().await;
    seed_market(
        &stack.api,
        "701",
        "Will the lights stay on?",
        10_000,
        dec!(0.5),
    )
    .await;
    let rex = stack.user(701, "Rex");
    rex.send_text("/start");
    rex.reply().await.unwrap();
    rex.send_text("/markets");
    rex.reply().await.unwrap();

    stack.proxy.take_down();

    rex.send_text("/positions");
    assert_eq!(rex.reply().await.unwrap().text, UNAVAILABLE);
    // A button that needs the API: the press is answered with the same notice.
    let press = rex.press("Will the lights stay on?").unwrap();
    let answer = rex.answer(&press).await.unwrap();
    assert_eq!(answer.text.as_deref(), Some(UNAVAILABLE));
    assert!(answer.show_alert);
    // Commands that need no API still answer.
    rex.send_text("/help");
    assert!(rex.reply().await.unwrap().text.contains("/positions"));
    assert!(!stack.bot.is_finished(), "the bot keeps running");

    stack.restart_api().await;

    rex.send_text("/positions");
    assert!(
        rex.reply()
            .await
            .unwrap()
            .text
            .contains("no open positions")
    );
    // The same button works now (it was not used up by the failure).
    rex.press("Will the lights stay on?").unwrap();
    let card = rex.reply().await.unwrap();
    assert!(card.text.contains("Yes — 50¢"), "{}", card.text);
    // The data survived: the new api serves the same database.
    assert!(stack.api.client.get_user(701).await.is_ok());
}
