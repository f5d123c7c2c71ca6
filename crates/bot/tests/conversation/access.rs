//! The allow-list keeps strangers out without calling the API; the per-user rate
//! limit says "slow down" once per window and lets other users through.

use std::time::Duration;

use bot::texts::{PRIVATE, SLOW_DOWN};

use crate::stack::Stack;

#[tokio::test]
async fn only_allowed_users_get_in() {
    let stack = Stack::builder()
        .var("ALLOWED_TELEGRAM_IDS", "801, 803")
        .start()
        .await;
    let (sam, tess) = (stack.user(801, "Sam"), stack.user(802, "Tess"));

    tess.send_text("/start");
    assert_eq!(tess.reply().await.unwrap().text, PRIVATE);
    assert!(
        stack
            .api
            .client
            .get_user(802)
            .await
            .unwrap_err()
            .is_not_found(),
        "nothing reached the API"
    );

    sam.send_text("/start");
    let menu = sam.reply().await.unwrap();
    assert!(menu.text.contains("Welcome, Sam"));
    // A stranger pressing a member's button is refused before anything else.
    let press = tess.press_on(&menu, "💼 Positions").unwrap();
    assert_eq!(
        tess.answer(&press).await.unwrap().text.as_deref(),
        Some(PRIVATE)
    );
    sam.expect_silence(Duration::from_millis(200))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_rate_limit_is_per_user_and_warns_once() {
    let stack = Stack::builder()
        .var("BOT_RATE_LIMIT_PER_MINUTE", "3")
        .start()
        .await;
    let (uma, vic) = (stack.user(804, "Uma"), stack.user(805, "Vic"));
    for _ in 0..6 {
        uma.send_text("/help");
    }
    // Four answers are due (three helps and one warning); then the bot stays quiet.
    uma.wait_for(|m| m.text == SLOW_DOWN, Duration::from_secs(10))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let texts: Vec<String> = uma.messages().into_iter().map(|m| m.text).collect();
    let helps = texts.iter().filter(|t| t.contains("/positions")).count();
    let warnings = texts.iter().filter(|t| *t == SLOW_DOWN).count();
    assert_eq!((helps, warnings), (3, 1), "{texts:#?}");

    vic.send_text("/help");
    assert!(vic.reply().await.unwrap().text.contains("/positions"));
}
