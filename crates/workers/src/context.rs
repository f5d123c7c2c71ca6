//! The clients and handles every worker shares.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use api_client::{ApiClient, ClientConfig};
use polymarket::data::DataClient;
use polymarket::gamma::GammaClient;
use tokio::sync::Notify;
use ts_cache::Cache;
use ts_store::{SecretCipher, Store};

use crate::config::WorkersConfig;
use crate::status::Status;

/// Postgres connections of a workers process.
const POOL_SIZE: u32 = 10;
/// How long start-up waits for Redis.
const STARTUP_WAIT: Duration = Duration::from_secs(60);

pub(crate) struct Ctx {
    pub store: Store,
    pub cache: Cache,
    pub api: ApiClient,
    pub gamma: GammaClient,
    pub data: DataClient,
    pub clob_ws_url: String,
    pub status: Status,
    /// Poked when the set of tokens to stream may have changed (new markets, a
    /// position opened or closed).
    pub tokens_changed: Notify,
    pub config: WorkersConfig,
}

impl Ctx {
    pub async fn connect(config: WorkersConfig, status: Status) -> anyhow::Result<Arc<Self>> {
        let s = &config.settings;
        // Workers never read users' wallet secrets, which is all the cipher is for, so
        // they get a throwaway key rather than ENCRYPTION_KEY.
        let throwaway_key: String = uuid::Uuid::new_v4().simple().to_string();
        let cipher = SecretCipher::new(&throwaway_key).context("store cipher")?;
        let store = Store::connect_lazy(s.database_url.expose(), POOL_SIZE, cipher)?;
        let cache = connect_redis(s.redis_url.expose(), &s.redis_key_prefix).await?;
        let api = ApiClient::new(ClientConfig {
            base_url: s.api_url.clone(),
            token: s.api_token.expose().to_owned(),
            ..ClientConfig::default()
        })?;
        Ok(Arc::new(Self {
            store,
            cache,
            api,
            gamma: GammaClient::new(&s.gamma_api_url)?,
            data: DataClient::new(&s.data_api_url)?,
            clob_ws_url: s.clob_ws_url.clone(),
            status,
            tokens_changed: Notify::new(),
            config,
        }))
    }

    pub fn tunables(&self) -> &crate::config::Tunables {
        &self.config.tunables
    }
}

/// Redis may come up after us (compose, Kubernetes): retry with backoff for a while.
async fn connect_redis(url: &str, prefix: &str) -> anyhow::Result<Cache> {
    let deadline = tokio::time::Instant::now() + STARTUP_WAIT;
    let mut backoff = polymarket::Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    loop {
        match Cache::connect(url, prefix).await {
            Ok(cache) => return Ok(cache),
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(error = %e, "waiting for redis");
                tokio::time::sleep(backoff.next_delay()).await;
            }
            Err(e) => return Err(e).context("connecting to redis"),
        }
    }
}
