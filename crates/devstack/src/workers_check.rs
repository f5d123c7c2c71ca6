//! `check-workers`: every worker runs, markets are polled in, prices stream into Redis.
use crate::env::StackEnv;
use crate::http::get_json;
use crate::report::Report;

pub async fn run() -> anyhow::Result<()> {
    let env = StackEnv::load();
    let mut r = Report::default();
    let ready = get_json(&format!("{}/health/ready", env.health_url("workers"))).await;
    r.check(
        "workers ready, each worker running",
        ready.map(|v| v.to_string()),
    );
    let api = env.api_client()?;
    let markets = api
        .list_markets(&api_client::MarketQuery {
            active: Some(true),
            limit: Some(50),
            ..Default::default()
        })
        .await;
    let markets = markets.map(|p| p.markets).unwrap_or_default();
    r.check(
        "the poller stored active markets",
        if markets.is_empty() {
            Err("no active market through the API".to_string())
        } else {
            Ok(format!("{} markets", markets.len()))
        },
    );
    let cache = ts_cache::Cache::connect(
        env.require("REDIS_URL")?,
        env.get("REDIS_KEY_PREFIX").unwrap_or("ts"),
    )
    .await?;
    let tokens: Vec<String> = markets
        .iter()
        .flat_map(|m| m.outcomes.iter().map(|o| o.token_id.clone()))
        .collect();
    let mut priced = 0;
    for _ in 0..30 {
        priced = cache
            .get_prices(&tokens)
            .await?
            .iter()
            .filter(|p| p.is_some())
            .count();
        if priced > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    r.check(
        "the streamer writes prices at ts:price:{token_id}",
        if priced > 0 {
            Ok(format!("{priced} of {} tokens priced", tokens.len()))
        } else {
            Err("no price in Redis after 30 s".to_string())
        },
    );
    r.check(
        "watched addresses answer",
        api.watched_addresses()
            .await
            .map(|w| format!("{} leaders followed", w.len())),
    );
    r.finish()
}
