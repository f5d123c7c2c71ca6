//! Telegram's 429 (flood control): the bot waits `retry_after` and sends again, so
//! the user still gets the reply.

use std::time::{Duration, Instant};

use crate::stack::Stack;

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let stack = Stack::start().await;
    let zed = stack.user(1001, "Zed");
    let before = stack.telegram.calls("sendMessage");
    stack.telegram.fail_next_with_retry_after("sendMessage", 1);

    let started = Instant::now();
    zed.send_text("/help");
    let help = zed.reply().await.unwrap();
    assert!(help.text.contains("/positions"));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited retry_after"
    );
    assert_eq!(
        stack.telegram.calls("sendMessage") - before,
        2,
        "sent twice"
    );
    assert_eq!(zed.messages().len(), 1, "and shown once");
}

#[tokio::test]
async fn a_429_on_a_button_answer_is_retried_too() {
    let stack = Stack::start().await;
    let amy = stack.user(1002, "Amy");
    amy.send_text("/start");
    amy.reply().await.unwrap();
    stack
        .telegram
        .fail_next_with_retry_after("answerCallbackQuery", 1);
    let press = amy.press("❓ Help").unwrap();
    assert!(amy.reply().await.unwrap().text.contains("/positions"));
    amy.answer(&press).await.unwrap();
    assert_eq!(stack.telegram.unanswered_callbacks(), 0);
}
