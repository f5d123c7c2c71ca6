//! Health: live at once; ready only once the API answered and getMe succeeded. At
//! start the bot waits for the API (with backoff) instead of failing.

use crate::proxy::addr_of;
use crate::stack::{Stack, register};

#[tokio::test]
async fn ready_waits_for_the_api() {
    let stack = Stack::builder().api_down_at_start().start().await;
    let live = reqwest::get(stack.bot.health_url("/health/live"))
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    assert_eq!(
        live.json::<serde_json::Value>().await.unwrap()["status"],
        "healthy"
    );

    let (status, body) = stack.ready_status().await;
    assert_eq!(status, 503);
    assert_eq!(body["checks"]["api"], "waiting");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("API"),
        "{body}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!stack.bot.is_finished(), "still waiting, not failed");
    assert_eq!(
        stack.telegram.calls("getMe"),
        0,
        "Telegram comes after the API"
    );

    stack.proxy.bring_up(addr_of(&stack.api.base_url));
    stack.wait_ready().await;
    let (_, body) = stack.ready_status().await;
    assert_eq!(
        body["checks"],
        serde_json::json!({"api": "ok", "telegram": "ok"})
    );

    let bea = stack.user(1101, "Bea");
    register(&stack.api, &bea).await;
    bea.send_text("/positions");
    assert!(
        bea.reply()
            .await
            .unwrap()
            .text
            .contains("no open positions")
    );
}
