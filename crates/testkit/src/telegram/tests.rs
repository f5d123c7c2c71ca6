//! The fake speaks the Bot API as a client sees it: envelopes, method names, long
//! polling, full objects and the errors Telegram gives.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{FakeTelegram, TEST_BOT_TOKEN};

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(fake: &FakeTelegram) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: format!("{}/bot{TEST_BOT_TOKEN}", fake.url()),
        }
    }

    async fn call(&self, method: &str, params: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}/{method}", self.base))
            .json(&params)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }
}

fn keyboard(data: &str) -> Value {
    json!({"inline_keyboard": [[{"text": "Go", "callback_data": data}]]})
}

#[tokio::test]
async fn methods_are_case_insensitive_and_unknown_ones_are_404() {
    let fake = FakeTelegram::start().await.unwrap();
    let client = Client::new(&fake);
    for method in ["getMe", "GetMe", "getme"] {
        let (status, body) = client.call(method, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(body["ok"], true);
        let me = &body["result"];
        assert_eq!(me["is_bot"], true);
        for field in [
            "can_join_groups",
            "can_read_all_group_messages",
            "supports_inline_queries",
            "has_main_web_app",
        ] {
            assert!(me[field].is_boolean(), "{field}");
        }
    }
    assert_eq!(fake.calls("GETME"), 3);
    let (status, body) = client.call("sendTelepathy", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"})
    );
    let wrong = reqwest::get(format!("{}/bot1:nope/getMe", fake.url()))
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
}

#[tokio::test]
async fn long_polling_wakes_on_an_update_and_offsets_confirm() {
    let fake = FakeTelegram::start().await.unwrap();
    let client = Client::new(&fake);
    let user = fake.user(5, "Ann");
    let sender = user.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        sender.send_text("/start now");
    });
    let started = Instant::now();
    let (_, body) = client.call("getUpdates", json!({"timeout": 10})).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "woke on the update"
    );
    let update = &body["result"][0];
    let message = &update["message"];
    assert_eq!(
        message["chat"],
        json!({"id": 5, "type": "private", "first_name": "Ann", "username": "ann_5"})
    );
    assert_eq!(message["from"]["is_bot"], false);
    assert!(message["date"].as_i64().unwrap() > 1_700_000_000, "seconds");
    assert_eq!(
        message["entities"][0],
        json!({"type": "bot_command", "offset": 0, "length": 6})
    );

    // Not confirmed yet: served again; an offset above it confirms it.
    let (_, again) = client.call("getUpdates", json!({})).await;
    assert_eq!(again["result"].as_array().unwrap().len(), 1);
    let next = update["update_id"].as_i64().unwrap() + 1;
    let started = Instant::now();
    let (_, empty) = client
        .call("getUpdates", json!({"offset": next, "timeout": 1}))
        .await;
    assert_eq!(empty["result"], json!([]));
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited the timeout"
    );
    assert_eq!(fake.pending_updates(), 0);
}

#[tokio::test]
async fn messages_buttons_and_callback_queries() {
    let fake = FakeTelegram::start().await.unwrap();
    let client = Client::new(&fake);
    let user = fake.user(7, "Bo");

    let (status, body) = client
        .call(
            "sendMessage",
            json!({"chat_id": 7, "text": "Hi", "reply_markup": keyboard("k:1")}),
        )
        .await;
    assert_eq!(status, 200);
    let sent = &body["result"];
    assert_eq!(sent["from"]["is_bot"], true);
    assert_eq!(sent["chat"]["id"], 7);
    assert_eq!(sent["reply_markup"], keyboard("k:1"));

    let long = "x".repeat(65);
    let (status, body) = client
        .call(
            "sendMessage",
            json!({"chat_id": 7, "text": "Hi", "reply_markup": keyboard(&long)}),
        )
        .await;
    assert_eq!(
        (status, body["description"].as_str()),
        (400, Some("Bad Request: BUTTON_DATA_INVALID"))
    );
    let (status, body) = client
        .call("sendMessage", json!({"chat_id": 99, "text": "Hi"}))
        .await;
    assert_eq!(
        (status, body["description"].as_str()),
        (400, Some("Bad Request: chat not found"))
    );

    let query_id = user.press("Go").unwrap();
    let (_, updates) = client.call("getUpdates", json!({})).await;
    let query = &updates["result"][0]["callback_query"];
    assert_eq!(query["data"], "k:1");
    assert!(
        query["chat_instance"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(query["message"]["message_id"], sent["message_id"]);
    let answer = json!({"callback_query_id": query_id, "text": "Done"});
    assert_eq!(
        client.call("answerCallbackQuery", answer.clone()).await.1["result"],
        true
    );
    assert_eq!(
        client.call("answerCallbackQuery", answer).await.0,
        400,
        "answered once"
    );
    assert_eq!(
        user.answer(&query_id).await.unwrap().text.as_deref(),
        Some("Done")
    );

    // The same content again is "not modified"; no reply_markup drops the keyboard.
    let id = sent["message_id"].clone();
    let same =
        json!({"chat_id": 7, "message_id": id, "text": "Hi", "reply_markup": keyboard("k:1")});
    let (status, body) = client.call("editMessageText", same).await;
    assert_eq!(status, 400);
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .contains("message is not modified")
    );
    let edit = json!({"chat_id": 7, "message_id": id, "text": "Bye"});
    let (_, body) = client.call("editMessageText", edit).await;
    assert!(body["result"].get("reply_markup").is_none());
    let last = user.messages().pop().unwrap();
    assert!(last.edited && last.text == "Bye" && last.keyboard.is_empty());
}

#[tokio::test]
async fn form_bodies_commands_and_flood_control() {
    let fake = FakeTelegram::start().await.unwrap();
    let client = Client::new(&fake);
    fake.user(9, "Cy");
    let resp = client
        .http
        .post(format!("{}/sendMessage", client.base))
        .form(&[("chat_id", "9"), ("text", "form")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let commands = json!({"commands": [{"command": "/start", "description": "Start"}]});
    assert_eq!(
        client.call("setMyCommands", commands).await.1["result"],
        true
    );
    let (_, listed) = client.call("getMyCommands", json!({})).await;
    assert_eq!(
        listed["result"],
        json!([{"command": "start", "description": "Start"}])
    );

    fake.fail_next_with_retry_after("sendMessage", 3);
    let (status, body) = client
        .call("sendMessage", json!({"chat_id": 9, "text": "x"}))
        .await;
    assert_eq!(status, 429);
    assert_eq!(body["parameters"], json!({"retry_after": 3}));
    assert_eq!(
        client
            .call("sendMessage", json!({"chat_id": 9, "text": "x"}))
            .await
            .0,
        200
    );
}
