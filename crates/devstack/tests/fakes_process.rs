//! `tsdev fakes` as start-all.sh runs it: a separate process that writes the
//! services' environment and answers its control server.
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn fakes_write_their_environment_and_obey_the_control_server() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("fakes.env");
    let _child = Killed(
        Command::new(env!("CARGO_BIN_EXE_tsdev"))
            .args([
                "fakes",
                "--telegram",
                "--polymarket",
                "--drift-secs",
                "0",
                "--env-file",
            ])
            .arg(&env_file)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut text = String::new();
    for _ in 0..100 {
        if let Ok(t) = std::fs::read_to_string(&env_file) {
            text = t;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let var = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("{k} missing from {text}"))
            .to_string()
    };
    let control = var("TS_FAKES_CONTROL_URL");
    let gamma = var("GAMMA_API_URL");
    assert!(var("CLOB_WS_URL").starts_with("ws://"));
    let telegram = var("TELEGRAM_API_URL");
    let token = var("TELEGRAM_BOT_TOKEN");
    let http = reqwest::Client::new();

    // The Polymarket fake serves the demo markets in Gamma's format.
    let page: serde_json::Value = http
        .get(format!("{gamma}/markets/keyset?limit=100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &page["markets"][0];
    assert!(first["question"].as_str().is_some(), "{page}");
    let tokens: Vec<String> =
        serde_json::from_str(first["clobTokenIds"].as_str().unwrap()).unwrap();

    // The control server moves a price, which CLOB REST then reports.
    let moved = http
        .post(format!("{control}/polymarket/price"))
        .json(&serde_json::json!({"token_id": tokens[0], "price": "0.77"}))
        .send()
        .await
        .unwrap();
    assert!(moved.status().is_success());
    let mid: serde_json::Value = http
        .get(format!("{gamma}/midpoint?token_id={}", tokens[0]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        mid["mid"].as_str().map(|m| m.parse::<f64>().unwrap()),
        Some(0.77),
        "{mid}"
    );

    // A user's message sent through the control server is an update for the bot.
    let sent = http
        .post(format!("{control}/telegram/users/42/send"))
        .json(&serde_json::json!({"text": "/start"}))
        .send()
        .await
        .unwrap();
    assert!(sent.status().is_success());
    let updates: serde_json::Value = http
        .post(format!("{telegram}/bot{token}/getUpdates"))
        .json(&serde_json::json!({"timeout": 0}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        updates["result"][0]["message"]["text"], "/start",
        "{updates}"
    );
    assert_eq!(updates["result"][0]["message"]["from"]["id"], 42);
}
