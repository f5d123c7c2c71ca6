//! /start registers the user and shows the main menu; /help lists the commands that
//! were registered with setMyCommands.

use crate::stack::Stack;

const COMMANDS: [&str; 7] = [
    "start",
    "markets",
    "positions",
    "copy_trading",
    "smart_trading",
    "tpsl",
    "help",
];

#[tokio::test]
async fn start_registers_the_user_and_shows_the_main_menu() {
    let stack = Stack::start().await;
    let ann = stack.user(101, "Ann");
    assert!(
        stack
            .api
            .client
            .get_user(101)
            .await
            .unwrap_err()
            .is_not_found()
    );

    ann.send_text("/start");
    let menu = ann.reply().await.unwrap();
    assert!(menu.text.contains("Welcome, Ann"), "{}", menu.text);
    assert_eq!(
        menu.labels(),
        [
            "📈 Markets",
            "💼 Positions",
            "👥 Copy trading",
            "🧠 Smart trading",
            "🎯 TP/SL",
            "❓ Help"
        ]
    );
    let user = stack.api.client.get_user(101).await.unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Ann"));
    assert_eq!(user.username.as_deref(), Some("ann_101"));

    // A main-menu button shows its section as a new message.
    let press = ann.press("💼 Positions").unwrap();
    let positions = ann.reply().await.unwrap();
    assert!(
        positions.text.contains("no open positions"),
        "{}",
        positions.text
    );
    assert!(!positions.edited);
    assert_eq!(ann.answer(&press).await.unwrap().text, None);
}

#[tokio::test]
async fn commands_are_registered_and_help_lists_them() {
    let stack = Stack::start().await;
    let bob = stack.user(102, "Bob");
    bob.send_text("/help");
    let help = bob.reply().await.unwrap();
    for command in COMMANDS {
        assert!(
            help.text.contains(&format!("/{command}")),
            "{command} in {}",
            help.text
        );
    }
    let registered: Vec<String> = stack
        .telegram
        .commands()
        .into_iter()
        .map(|c| c.command)
        .collect();
    assert_eq!(registered, COMMANDS);
    assert_eq!(stack.telegram.calls("setMyCommands"), 1);
}

#[tokio::test]
async fn unknown_text_and_commands_get_a_pointer_to_help() {
    let stack = Stack::start().await;
    let cy = stack.user(103, "Cy");
    for text in ["hello", "/frobnicate"] {
        cy.send_text(text);
        let reply = cy.reply().await.unwrap();
        assert!(reply.text.contains("/help"), "{text}: {}", reply.text);
    }
}
