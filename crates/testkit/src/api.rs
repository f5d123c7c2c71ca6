//! The real api service started in-process on a random port, on a fresh Postgres
//! database and its own Redis key prefix, so every test is isolated and parallel.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use api_client::{ApiClient, ClientConfig};
use chrono::Utc;
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use ts_config::ApiSettings;
use ts_core::market::{MarketUpsert, Outcome, PriceTick};

use crate::{TestDatabase, TestRedis};

pub const TEST_API_TOKEN: &str = "test-api-token-0123456789";
pub const TEST_WEBHOOK_SECRET: &str = "test-webhook-secret";
pub const TEST_ENCRYPTION_KEY: &str = "0123456789abcdef0123456789abcdef";

pub struct TestApi {
    pub base_url: String,
    pub client: ApiClient,
    pub state: api::AppState,
    pub settings: ApiSettings,
    pub db: Arc<TestDatabase>,
    pub redis: Arc<TestRedis>,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

impl TestApi {
    /// A fresh database and key prefix, migrations applied, serving on 127.0.0.1.
    pub async fn spawn() -> anyhow::Result<Self> {
        let db = TestDatabase::create().await?;
        Self::spawn_on(Arc::new(db), Arc::new(TestRedis::new())).await
    }

    /// Serves on an existing database and key prefix (e.g. a second replica).
    pub async fn spawn_on(db: Arc<TestDatabase>, redis: Arc<TestRedis>) -> anyhow::Result<Self> {
        let settings =
            ApiSettings::from_vars(&Self::vars(&db, &redis)).context("test api settings")?;
        let state = api::build_state(&settings).await?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(api::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        let base_url = format!("http://{addr}");
        let client = ApiClient::new(ClientConfig {
            base_url: base_url.clone(),
            token: TEST_API_TOKEN.to_string(),
            timeout: Duration::from_secs(10),
            max_retries: 2,
            initial_backoff: Duration::from_millis(50),
        })?;
        Ok(Self {
            base_url,
            client,
            state,
            settings,
            db,
            redis,
            shutdown: Some(tx),
            handle: Some(handle),
        })
    }

    /// The environment an api process gets in tests.
    pub fn vars(db: &TestDatabase, redis: &TestRedis) -> HashMap<String, String> {
        HashMap::from([
            ("DATABASE_URL".to_string(), db.url.clone()),
            ("REDIS_URL".to_string(), redis.url.clone()),
            ("REDIS_KEY_PREFIX".to_string(), redis.prefix.clone()),
            ("API_TOKEN".to_string(), TEST_API_TOKEN.to_string()),
            (
                "WEBHOOK_SECRET".to_string(),
                TEST_WEBHOOK_SECRET.to_string(),
            ),
            (
                "ENCRYPTION_KEY".to_string(),
                TEST_ENCRYPTION_KEY.to_string(),
            ),
        ])
    }

    /// A URL on this api.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Stores markets as the workers' poller would.
    pub async fn seed_markets(&self, markets: &[MarketUpsert]) -> anyhow::Result<()> {
        self.state.store.markets().upsert_many(markets).await?;
        ts_cache::keys::markets_changed(&self.state.cache).await?;
        Ok(())
    }

    /// Writes a price tick as the workers' streamer would.
    pub async fn set_price(&self, token_id: &str, price: Decimal) -> anyhow::Result<()> {
        let tick = PriceTick {
            token_id: token_id.to_string(),
            price,
            at_ms: Utc::now().timestamp_millis(),
        };
        self.state.cache.set_price(&tick).await?;
        Ok(())
    }

    /// Stops serving and waits for in-flight requests.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await??;
        }
        Ok(())
    }
}

impl Drop for TestApi {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A two-outcome market whose token ids are `{id}-yes` / `{id}-no` style numbers.
pub fn binary_market(id: &str, question: &str, volume: Decimal) -> MarketUpsert {
    MarketUpsert {
        id: id.to_string(),
        question: question.to_string(),
        slug: question
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
        condition_id: format!("0x{:0>64}", id),
        active: true,
        closed: false,
        volume,
        liquidity: volume / Decimal::from(10),
        end_date: None,
        outcomes: vec![
            Outcome {
                name: "Yes".into(),
                token_id: yes_token(id),
                price: Some(Decimal::new(55, 2)),
            },
            Outcome {
                name: "No".into(),
                token_id: no_token(id),
                price: Some(Decimal::new(45, 2)),
            },
        ],
    }
}

pub fn yes_token(market_id: &str) -> String {
    format!("{market_id}1001")
}

pub fn no_token(market_id: &str) -> String {
    format!("{market_id}2002")
}
