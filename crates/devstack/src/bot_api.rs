//! `check-bot-api`: the running bot answers a user through the running api: /start
//! registers, /markets shows what the API has, /help lists the registered commands,
//! buttons are answered.
use crate::chat::{ChatUser, labels, text};
use crate::env::StackEnv;
use crate::http::get_json;
use crate::report::Report;

const COMMANDS: &[&str] = &[
    "start",
    "markets",
    "positions",
    "copy_trading",
    "smart_trading",
    "tpsl",
    "help",
];

pub async fn run() -> anyhow::Result<()> {
    let env = StackEnv::load();
    let control = env.control_url()?.to_string();
    let api = env.api_client()?;
    let user = ChatUser::new(&control, 7_000_000 + i64::from(rand::random::<u16>()));
    let mut r = Report::default();

    let start = user.send("/start", "Welcome").await;
    let registered = api.get_user(user.id).await;
    r.check(
        "/start registers the user through the API and shows the menu",
        match (&start, registered) {
            (Ok(m), Ok(_)) => Ok(format!("buttons: {}", labels(m).join(" | "))),
            (Err(e), _) => Err(e.to_string()),
            (_, Err(e)) => Err(format!("the API has no user {}: {e}", user.id)),
        },
    );

    let first = api
        .list_markets(&api_client::MarketQuery {
            active: Some(true),
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    let question = first
        .markets
        .first()
        .map(|m| m.question.clone())
        .unwrap_or_default();
    let excerpt: String = question.chars().take(20).collect();
    r.check(
        "/markets shows the API's markets",
        user.send("/markets", &excerpt)
            .await
            .map(|m| text(&m).lines().next().unwrap_or_default().to_string()),
    );

    r.check(
        "pressing a market button opens it (callback answered)",
        user.press("1. ", "Yes")
            .await
            .map(|m| text(&m).lines().next().unwrap_or_default().to_string()),
    );

    let registered: Vec<String> = get_json(&format!("{control}/telegram/commands"))
        .await?
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["command"].as_str().map(str::to_string))
        .collect();
    let missing: Vec<&&str> = COMMANDS
        .iter()
        .filter(|c| !registered.iter().any(|r| r == *c))
        .collect();
    r.check(
        "setMyCommands registered every command",
        if missing.is_empty() {
            Ok(registered.join(", "))
        } else {
            Err(format!("missing {missing:?}"))
        },
    );
    r.check(
        "/help lists the commands",
        user.send("/help", "/copy_trading")
            .await
            .map(|_| String::new()),
    );
    r.check(
        "/positions answers",
        user.send("/positions", "osition")
            .await
            .map(|m| text(&m).lines().next().unwrap_or_default().to_string()),
    );
    r.finish()
}
