//! `tsdev fakes`: the Telegram Bot API and Polymarket fakes of testkit as one
//! long-running process for the local stack, plus a control server that scripts and
//! `tsdev play` use to act as a Telegram user or move a price.
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use testkit::polymarket::FakePolymarket;
use testkit::telegram::FakeTelegram;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::control;
use crate::demo;

#[derive(clap::Args)]
pub struct FakesArgs {
    /// Where to write the environment the services need (KEY=value lines).
    #[arg(long)]
    pub env_file: PathBuf,
    /// Serve the Telegram Bot API fake.
    #[arg(long)]
    pub telegram: bool,
    /// Serve the Polymarket fake (Gamma, CLOB REST and WebSocket, Data API).
    #[arg(long)]
    pub polymarket: bool,
    /// Seconds between demo price moves (0 keeps prices still).
    #[arg(long, default_value_t = 5)]
    pub drift_secs: u64,
}

/// What the control server drives.
pub struct Fakes {
    pub telegram: Option<FakeTelegram>,
    pub polymarket: Option<FakePolymarket>,
    pub users: Mutex<HashMap<i64, testkit::telegram::FakeUser>>,
    pub prices: Mutex<HashMap<String, Decimal>>,
}

pub async fn run(args: FakesArgs) -> anyhow::Result<()> {
    let telegram = if args.telegram {
        Some(FakeTelegram::start().await?)
    } else {
        None
    };
    let polymarket = if args.polymarket {
        let pm = FakePolymarket::spawn().await?;
        pm.set_markets(demo::markets());
        Some(pm)
    } else {
        None
    };
    let prices = demo::markets()
        .iter()
        .flat_map(|m| {
            m.outcomes
                .iter()
                .map(|(_, token, price)| (token.clone(), *price))
        })
        .collect();
    let fakes = Arc::new(Fakes {
        telegram,
        polymarket,
        users: Mutex::default(),
        prices: Mutex::new(prices),
    });

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let control_url = format!("http://{}", listener.local_addr()?);
    let mut env = vec![format!("TS_FAKES_CONTROL_URL={control_url}")];
    if let Some(t) = &fakes.telegram {
        env.push(format!("TELEGRAM_API_URL={}", t.url()));
        env.push(format!("TELEGRAM_BOT_TOKEN={}", t.token()));
    }
    if let Some(p) = &fakes.polymarket {
        env.push(format!("GAMMA_API_URL={}", p.url));
        env.push(format!("CLOB_API_URL={}", p.url));
        env.push(format!("CLOB_WS_URL={}", p.ws_url));
        env.push(format!("DATA_API_URL={}", p.url));
    }
    // Written last and whole, so a reader never sees half a file.
    let tmp = args.env_file.with_extension("tmp");
    std::fs::write(&tmp, env.join("\n") + "\n")?;
    std::fs::rename(&tmp, &args.env_file)?;
    println!("fakes up; control server on {control_url}");
    for line in &env {
        if !line.starts_with("TELEGRAM_BOT_TOKEN") {
            println!("  {line}");
        }
    }

    if args.drift_secs > 0 && fakes.polymarket.is_some() {
        tokio::spawn(drift_prices(
            Arc::clone(&fakes),
            Duration::from_secs(args.drift_secs),
        ));
    }
    let app = control::router(fakes);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

/// Moves one demo outcome (and its complement) by a cent at a time.
async fn drift_prices(fakes: Arc<Fakes>, every: Duration) {
    let markets = demo::markets();
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let market = &markets[rand::random_range(0..markets.len())];
        let (yes, no) = (&market.outcomes[0].1, &market.outcomes[1].1);
        let mut prices = fakes.prices.lock().await;
        let next = demo::drift(prices.get(yes).copied().unwrap_or(Decimal::new(50, 2)));
        prices.insert(yes.clone(), next);
        prices.insert(no.clone(), Decimal::ONE - next);
        if let Some(pm) = &fakes.polymarket {
            pm.push_price_change(yes, next);
            pm.push_price_change(no, Decimal::ONE - next);
        }
    }
}

async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
}
