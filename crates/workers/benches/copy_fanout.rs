//! Copy-trading fan-out: one leader trade, 1,000 followers. The real api on Postgres and
//! Redis, the workers' listener opening follower positions through it (64 in flight).
//! Measured from the signed webhook's request to the 1,000th position committed. Needs
//! TEST_DATABASE_URL and TEST_REDIS_URL like the tests; run with
//! `cargo bench -p workers --bench copy_fanout`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures::StreamExt;
use rust_decimal::Decimal;
use testkit::TestApi;
use testkit::api::{TEST_API_TOKEN, TEST_WEBHOOK_SECRET};
use testkit::polymarket::{FakeMarket, FakePolymarket};
use ts_config::WorkersSettings;
use ts_core::LeaderAddress;
use ts_core::copy::{CreateAllocationRequest, IncomingTrade, SizingMode, TradeSide};
use ts_core::user::UpsertUser;
use workers::WorkersConfig;

const FOLLOWERS: i64 = 1_000;
const TRADES: usize = 3;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let api = TestApi::spawn().await?;
    let fake = FakePolymarket::spawn().await?;
    fake.set_markets(vec![FakeMarket::binary(
        "9",
        "Fan-out?",
        "91",
        "92",
        Decimal::new(5, 1),
    )]);
    let leader = LeaderAddress::parse(&format!("0x{}", "f".repeat(40)))?;

    let setup = Instant::now();
    futures::stream::iter(1..=FOLLOWERS)
        .map(|id| {
            let (client, leader) = (api.client.clone(), leader.clone());
            async move {
                let user = UpsertUser {
                    telegram_id: id,
                    username: None,
                    first_name: None,
                    wallet: None,
                };
                client.upsert_user(&user).await?;
                let follow = CreateAllocationRequest {
                    telegram_id: id,
                    leader_address: leader,
                    mode: SizingMode::Fixed,
                    amount: Decimal::TEN,
                    max_per_trade: None,
                    slippage_bps: 500,
                };
                client.create_allocation(&follow, None).await.map(drop)
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<Vec<()>, _>>()?;
    println!(
        "copy_fanout: {FOLLOWERS} followers set up in {:.1?}",
        setup.elapsed()
    );

    let vars = HashMap::from([
        ("DATABASE_URL".to_string(), api.db.url.clone()),
        ("REDIS_URL".into(), api.redis.url.clone()),
        ("REDIS_KEY_PREFIX".into(), api.redis.prefix.clone()),
        ("API_URL".into(), api.base_url.clone()),
        ("API_TOKEN".into(), TEST_API_TOKEN.into()),
        ("GAMMA_API_URL".into(), fake.url.clone()),
        ("CLOB_API_URL".into(), fake.url.clone()),
        ("CLOB_WS_URL".into(), fake.ws_url.clone()),
        ("DATA_API_URL".into(), fake.url.clone()),
    ]);
    let mut config = WorkersConfig::new(WorkersSettings::from_vars(&vars)?);
    config.tunables.health_addr = SocketAddr::from(([127, 0, 0, 1], 0));
    config.tunables.read_block = Duration::from_millis(100);
    let workers = workers::spawn(config).await?;
    while api.state.cache.get_price("91").await?.is_none() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    for n in 0..TRADES {
        let trade = IncomingTrade {
            proxy_wallet: leader.clone(),
            transaction_hash: format!("0x{:0>64}", n + 1),
            asset: "91".into(),
            condition_id: String::new(),
            side: TradeSide::Buy,
            size: Some(Decimal::from(200)),
            price: Decimal::new(5, 1),
            usdc_size: Some(Decimal::from(100)),
            outcome: Some("Yes".into()),
            outcome_index: Some(0),
            title: None,
            timestamp: chrono::Utc::now().timestamp(),
            name: None,
            pseudonym: None,
        };
        let body = serde_json::to_vec(&trade)?;
        let started = Instant::now();
        api.client.send_webhook(TEST_WEBHOOK_SECRET, &body).await?;
        let tx = trade.transaction_hash.clone();
        loop {
            let copied: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM positions p JOIN leader_trades t ON t.id = p.leader_trade_id
                 WHERE t.transaction_hash = $1",
            )
            .bind(&tx)
            .fetch_one(api.state.store.pool())
            .await?;
            if copied == FOLLOWERS {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        println!(
            "copy_fanout: trade {} -> {FOLLOWERS} follower positions in {:.0?} (target <= 1 s)",
            n + 1,
            started.elapsed()
        );
    }
    workers.stop().await;
    Ok(())
}
