//! Update → reply latency of the bot: the time from a user's update being queued at
//! the fake Telegram Bot API to the bot's reply (or edit) arriving there, through the
//! real dispatcher and a local api on Postgres and Redis. Prints p50/p90/p99/max per
//! scenario; the target is p99 under 50 ms.
//!
//! `cargo bench -p bot --bench update_latency` (needs TEST_DATABASE_URL /
//! TEST_REDIS_URL like the tests). BENCH_ITERATIONS (default 500) per scenario.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bot::Options;
use rust_decimal::Decimal;
use testkit::TestApi;
use testkit::api::{TEST_API_TOKEN, binary_market, no_token, yes_token};
use testkit::telegram::{FakeTelegram, FakeUser, TEST_BOT_TOKEN};
use ts_config::BotSettings;
use ts_core::position::{OpenPositionRequest, PositionSource};
use ts_core::user::UpsertUser;

const USER: i64 = 4242;

fn main() -> anyhow::Result<()> {
    let iterations: usize = std::env::var("BENCH_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    // The system under test (api, fake Telegram, bot) runs on its own runtime, like
    // separate processes would; the driver on another.
    let system = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (api, telegram, handle) = system.block_on(start())?;
    let driver = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    driver.block_on(async {
        let help = telegram.user(USER + 1, "Helper");
        let positions = telegram.user(USER, "Trader");
        let pager = telegram.user(USER + 2, "Pager");
        println!("update -> reply latency, {iterations} updates per scenario, one at a time");
        report(
            "/help (no API call)",
            command(&help, "/help", iterations).await?,
        );
        report(
            "/positions (3 positions, API + prices)",
            command(&positions, "/positions", iterations).await?,
        );
        report(
            "button press -> edit (markets page, API)",
            paging(&pager, iterations).await?,
        );
        anyhow::Ok(())
    })?;
    system.block_on(async {
        handle.shutdown().await?;
        drop(telegram);
        drop(api);
        anyhow::Ok(())
    })
}

async fn start() -> anyhow::Result<(TestApi, FakeTelegram, bot::BotHandle)> {
    let api = TestApi::spawn().await?;
    let markets: Vec<_> = (0..12)
        .map(|i| {
            binary_market(
                &format!("99{i:02}"),
                &format!("Benchmark market {i}?"),
                Decimal::from(1_000 * (i + 1)),
            )
        })
        .collect();
    api.seed_markets(&markets).await?;
    for m in &markets {
        api.set_price(&yes_token(&m.id), Decimal::new(5, 1)).await?;
        api.set_price(&no_token(&m.id), Decimal::new(5, 1)).await?;
    }
    api.client
        .upsert_user(&UpsertUser {
            telegram_id: USER,
            username: None,
            first_name: Some("Trader".into()),
            wallet: None,
        })
        .await?;
    for m in markets.iter().take(3) {
        let req = OpenPositionRequest {
            telegram_id: USER,
            market_id: m.id.clone(),
            outcome: "Yes".into(),
            amount: Decimal::from(10),
            take_profit: None,
            stop_loss: None,
            source: PositionSource::Manual,
            allocation_id: None,
            leader_trade_id: None,
            max_price: None,
        };
        api.client.open_position(&req, None).await?;
    }
    let telegram = FakeTelegram::start().await?;
    let vars = HashMap::from([
        ("SKIP_DB".to_string(), "true".to_string()),
        ("API_URL".to_string(), api.base_url.clone()),
        ("API_TOKEN".to_string(), TEST_API_TOKEN.to_string()),
        ("TELEGRAM_BOT_TOKEN".to_string(), TEST_BOT_TOKEN.to_string()),
        ("TELEGRAM_API_URL".to_string(), telegram.url().to_string()),
        (
            "BOT_RATE_LIMIT_PER_MINUTE".to_string(),
            "1000000".to_string(),
        ),
    ]);
    let handle = bot::spawn(BotSettings::from_vars(&vars)?, Options::default()).await?;
    let ready = handle.health_url("/health/ready");
    for _ in 0..200 {
        if reqwest::get(&ready).await?.status() == 200 {
            return Ok((api, telegram, handle));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the bot did not become ready")
}

async fn command(user: &FakeUser, text: &str, n: usize) -> anyhow::Result<Vec<Duration>> {
    // Warm-up: connections, caches, the dispatcher's worker for this chat.
    for _ in 0..20 {
        user.send_text(text);
        user.reply().await?;
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        user.send_text(text);
        user.reply().await?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}

async fn paging(user: &FakeUser, n: usize) -> anyhow::Result<Vec<Duration>> {
    user.send_text("/markets");
    user.reply().await?;
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 20 {
        let button = if i % 2 == 0 {
            "Next ▶"
        } else {
            "◀ Previous"
        };
        let started = Instant::now();
        user.press(button)?;
        user.reply().await?;
        if i >= 20 {
            samples.push(started.elapsed());
        }
    }
    Ok(samples)
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| {
        let idx = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
        samples[idx].as_secs_f64() * 1e3
    };
    println!(
        "{name:<44} p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms",
        at(0.50),
        at(0.90),
        at(0.99),
        at(1.0)
    );
}
