//! The workers in-process against the real api (its own Postgres database and Redis
//! prefix) and testkit's Polymarket fake, with every interval shortened.
#![allow(dead_code)]

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use testkit::TestApi;
use testkit::api::{TEST_API_TOKEN, TEST_WEBHOOK_SECRET};
use testkit::polymarket::{FakeMarket, FakePolymarket};
use ts_config::WorkersSettings;
use ts_core::LeaderAddress;
use ts_core::copy::{Allocation, CreateAllocationRequest, IncomingTrade, SizingMode, TradeSide};
use ts_core::user::UpsertUser;
use workers::{Workers, WorkersConfig};

pub const WAIT: Duration = Duration::from_secs(20);
pub const MARKET: &str = "555";
pub const YES: &str = "5551001";
pub const NO: &str = "5552002";

/// `XPENDING` summary: count, lowest id, highest id, count per consumer.
type PendingSummary = (
    u64,
    Option<String>,
    Option<String>,
    Option<Vec<(String, String)>>,
);

pub struct Stack {
    pub api: TestApi,
    pub fake: FakePolymarket,
}

impl Stack {
    /// The api, and the fake serving one market "555" priced Yes 0.55 / No 0.45.
    pub async fn start() -> Stack {
        let api = TestApi::spawn().await.expect("api");
        let fake = FakePolymarket::spawn().await.expect("fake polymarket");
        fake.set_markets(vec![FakeMarket::binary(
            MARKET,
            "Will it rain in Paris?",
            YES,
            NO,
            dec!(0.55),
        )]);
        Stack { api, fake }
    }

    pub fn vars(&self) -> HashMap<String, String> {
        let api = &self.api;
        HashMap::from([
            ("DATABASE_URL".into(), api.db.url.clone()),
            ("REDIS_URL".into(), api.redis.url.clone()),
            ("REDIS_KEY_PREFIX".into(), api.redis.prefix.clone()),
            ("API_URL".into(), api.base_url.clone()),
            ("API_TOKEN".into(), TEST_API_TOKEN.into()),
            ("GAMMA_API_URL".into(), self.fake.url.clone()),
            ("CLOB_API_URL".into(), self.fake.url.clone()),
            ("CLOB_WS_URL".into(), self.fake.ws_url.clone()),
            ("DATA_API_URL".into(), self.fake.url.clone()),
            ("POLL_INTERVAL_SECS".into(), "1".into()),
        ])
    }

    /// Test timings: everything in fractions of a second.
    pub fn config(&self, consumer: &str) -> WorkersConfig {
        let settings = WorkersSettings::from_vars(&self.vars()).expect("workers settings");
        let mut config = WorkersConfig::new(settings);
        let t = &mut config.tunables;
        t.health_addr = SocketAddr::from(([127, 0, 0, 1], 0));
        t.socket_backoff = Duration::from_millis(100);
        t.consumer_name = consumer.to_owned();
        t.claim_idle = Duration::from_millis(800);
        t.claim_every = Duration::from_millis(200);
        t.read_block = Duration::from_millis(200);
        t.watched_refresh = Duration::from_millis(200);
        t.activity_poll = Duration::from_millis(200);
        config
    }

    pub async fn workers(&self, consumer: &str) -> Workers {
        workers::spawn(self.config(consumer))
            .await
            .expect("workers start")
    }

    /// Waits until the streamer wrote a price for `token`.
    pub async fn price(&self, token: &str) -> Decimal {
        eventually("a streamed price", || async {
            self.api
                .state
                .cache
                .get_price(token)
                .await
                .unwrap()
                .map(|t| t.price)
        })
        .await
    }

    pub async fn user(&self, telegram_id: i64) {
        self.api
            .client
            .upsert_user(&UpsertUser {
                telegram_id,
                username: Some(format!("user{telegram_id}")),
                first_name: None,
                wallet: None,
            })
            .await
            .unwrap();
    }

    pub async fn follow(
        &self,
        telegram_id: i64,
        leader: &LeaderAddress,
        mode: SizingMode,
        amount: Decimal,
        slippage_bps: i32,
    ) -> Allocation {
        self.user(telegram_id).await;
        let req = CreateAllocationRequest {
            telegram_id,
            leader_address: leader.clone(),
            mode,
            amount,
            max_per_trade: None,
            slippage_bps,
        };
        self.api.client.create_allocation(&req, None).await.unwrap()
    }

    pub async fn send_webhook(&self, trade: &IncomingTrade) -> ts_core::copy::WebhookReceipt {
        let body = serde_json::to_vec(trade).unwrap();
        self.api
            .client
            .send_webhook(TEST_WEBHOOK_SECRET, &body)
            .await
            .unwrap()
    }

    /// Leader-trade entries read by the copy-trading group but not acknowledged.
    pub async fn unacknowledged(&self) -> u64 {
        let mut conn = redis::Client::open(self.api.redis.url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        let summary: PendingSummary = redis::cmd("XPENDING")
            .arg(self.api.state.cache.leader_trades_stream())
            .arg(ts_cache::keys::COPY_TRADING_GROUP)
            .query_async(&mut conn)
            .await
            .unwrap();
        summary.0
    }

    /// Count of rows a SQL query returns as one number.
    pub async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(self.api.state.store.pool())
            .await
            .unwrap()
    }
}

pub fn leader(c: char) -> LeaderAddress {
    LeaderAddress::parse(&format!("0x{}", c.to_string().repeat(40))).unwrap()
}

/// A leader's buy of the No outcome at 0.45 for 100 USDC.
pub fn no_buy(leader: &LeaderAddress, tx: &str) -> IncomingTrade {
    IncomingTrade {
        proxy_wallet: leader.clone(),
        transaction_hash: tx.into(),
        asset: NO.into(),
        condition_id: format!("0x{MARKET:0>64}"),
        side: TradeSide::Buy,
        size: Some(dec!(222.222222)),
        price: dec!(0.45),
        usdc_size: Some(dec!(100)),
        outcome: Some("No".into()),
        outcome_index: Some(1),
        title: Some("Will it rain in Paris?".into()),
        timestamp: chrono::Utc::now().timestamp(),
        name: None,
        pseudonym: Some("Rainmaker".into()),
    }
}

/// Polls `check` until it yields a value, or fails the test after [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
