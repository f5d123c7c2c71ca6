//! `tsdev play`: be a Telegram user of the local bot from a terminal. Type a message
//! or a command; type a button's number to press it. Talks to the Telegram fake
//! through the control server, so the real bot answers as it would on Telegram.
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::env::StackEnv;
use crate::http::{client, post_json};

#[derive(clap::Args)]
pub struct PlayArgs {
    /// The Telegram user id to play.
    #[arg(long, default_value_t = 1001)]
    pub user: i64,
}

pub async fn run(args: PlayArgs) -> anyhow::Result<()> {
    let env = StackEnv::load();
    let control = env.control_url()?.to_string();
    let user = args.user;
    println!(
        "Playing Telegram user {user} against the local bot. Type /start; a number presses that button; Ctrl-D quits."
    );
    let mut seen: Vec<Value> = Vec::new();
    let mut buttons: Vec<String> = Vec::new();
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    loop {
        // Show what the bot sent since the last look, and number the buttons of the newest keyboard.
        tokio::time::sleep(Duration::from_millis(400)).await;
        // Messages are shown in their latest version, so an edit is shown again.
        let chat = chat(&control, user).await?;
        let changed: Vec<&Value> = chat.iter().filter(|m| !seen.contains(m)).collect();
        for m in &changed {
            print_message(m);
        }
        if !changed.is_empty() {
            buttons = newest_buttons(&chat);
            for (i, b) in buttons.iter().enumerate() {
                println!("   [{}] {b}", i + 1);
            }
        }
        seen = chat;
        eprint!("> ");
        let Some(line) = lines.next_line().await? else {
            return Ok(());
        };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let pressed = line
            .parse::<usize>()
            .ok()
            .and_then(|n| buttons.get(n.wrapping_sub(1)));
        let result = match pressed {
            Some(label) => {
                post_json(
                    &format!("{control}/telegram/users/{user}/press"),
                    &json!({"label": label}),
                )
                .await
            }
            None => {
                post_json(
                    &format!("{control}/telegram/users/{user}/send"),
                    &json!({"text": line}),
                )
                .await
            }
        };
        match result {
            Ok(v) => {
                if let Some(text) = v["answer"]["text"].as_str() {
                    println!("   (popup) {text}");
                }
            }
            Err(e) => println!("   ! {e}"),
        }
    }
}

async fn chat(control: &str, user: i64) -> anyhow::Result<Vec<Value>> {
    let v: Value = client()
        .get(format!("{control}/telegram/users/{user}/messages"))
        .send()
        .await?
        .json()
        .await?;
    Ok(v.as_array().cloned().unwrap_or_default())
}

fn print_message(m: &Value) {
    let edited = if m["edited"].as_bool() == Some(true) {
        " (edited)"
    } else {
        ""
    };
    println!("\nbot{edited}:");
    for line in m["text"].as_str().unwrap_or_default().lines() {
        println!("  {line}");
    }
}

fn newest_buttons(chat: &[Value]) -> Vec<String> {
    chat.iter()
        .rev()
        .find_map(|m| {
            let rows = m["keyboard"].as_array()?;
            let labels: Vec<String> = rows
                .iter()
                .flat_map(|r| r.as_array().into_iter().flatten())
                .filter_map(|b| b["text"].as_str().map(str::to_string))
                .collect();
            (!labels.is_empty()).then_some(labels)
        })
        .unwrap_or_default()
}
