//! The TradingStack REST API: the only service that owns the database. A library so
//! tests start the real service in-process; `main.rs` only wires config and telemetry.

mod auth;
mod cached;
mod docs;
pub mod error;
mod extract;
mod ingest;
mod router;
pub mod routes;
pub mod state;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use ts_cache::Cache;
use ts_config::{ApiSettings, TradingMode};
use ts_store::{SecretCipher, Store};

pub use router::router;
pub use state::AppState;

/// Postgres connections per api process.
const POOL_SIZE: u32 = 20;
/// How long start-up waits for Postgres and Redis before giving up.
const STARTUP_WAIT: Duration = Duration::from_secs(60);

/// Connects to Postgres and Redis (waiting for them with backoff), runs migrations.
pub async fn build_state(settings: &ApiSettings) -> anyhow::Result<AppState> {
    if settings.trading_mode == TradingMode::Live {
        anyhow::bail!("TRADING_MODE=live is not supported by this version of the api; use paper");
    }
    let cipher = SecretCipher::new(settings.encryption_key.expose()).context("ENCRYPTION_KEY")?;
    let store = Store::connect_lazy(settings.database_url.expose(), POOL_SIZE, cipher)?;
    wait_for("postgres", || store.migrate())
        .await
        .context("running database migrations")?;
    let redis_url = settings.redis_url.expose().to_string();
    let prefix = settings.redis_key_prefix.clone();
    let cache = wait_for("redis", || Cache::connect(&redis_url, &prefix))
        .await
        .context("connecting to redis")?;
    cache
        .ensure_group(
            &cache.leader_trades_stream(),
            ts_cache::keys::COPY_TRADING_GROUP,
        )
        .await
        .context("creating the copy-trading consumer group")?;
    Ok(AppState {
        store,
        cache,
        inner: Arc::new(state::Inner {
            api_token: settings.api_token.expose().to_string(),
            webhook_secret: settings.webhook_secret.expose().to_string(),
            cache_ttl: Duration::from_secs(settings.cache_ttl_secs),
        }),
        shutdown: tokio_util::sync::CancellationToken::new(),
    })
}

/// Retries `op` with exponential backoff until it succeeds or `STARTUP_WAIT` passes.
async fn wait_for<T, E, F, Fut>(what: &str, mut op: F) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let deadline = tokio::time::Instant::now() + STARTUP_WAIT;
    let mut delay = Duration::from_millis(200);
    loop {
        match op().await {
            Ok(v) => return Ok(v),
            Err(e) if tokio::time::Instant::now() + delay < deadline => {
                tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "waiting for {what}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Serves the API on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let token = state.shutdown.clone();
    let app = router(state);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // End the event streams, or their clients would hold the shutdown forever.
            token.cancel();
        })
        .await?;
    Ok(())
}

/// Builds and serves the API on `API_HOST:API_PORT`.
pub async fn run(
    settings: ApiSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = build_state(&settings).await?;
    let addr: SocketAddr = format!("{}:{}", settings.host, settings.port)
        .parse()
        .with_context(|| {
            format!(
                "API_HOST/API_PORT do not form an address: {}:{}",
                settings.host, settings.port
            )
        })?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(%addr, "api listening");
    serve(listener, state, shutdown).await
}
