//! The TradingStack workers: the markets poller, the price streamer, the TP/SL monitor,
//! the copy-trading listener and the watched-addresses sync, each a tokio task with a
//! state shown by `/health/ready`. A library so tests start the real service in-process
//! ([`spawn`]); `main.rs` only wires configuration and telemetry.

mod config;
mod context;
mod copy;
mod health;
mod poller;
pub mod status;
pub mod streamer;
pub mod tpsl;
mod watched;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use ts_config::{TradingMode, WorkersSettings};

pub use config::{BeforeAck, Tunables, WorkersConfig};
pub use status::{Status, WorkerState, WorkerStatus};

use context::Ctx;

/// Runs the workers until `shutdown` resolves, then stops them.
pub async fn run(
    settings: WorkersSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let workers = spawn(WorkersConfig::new(settings)).await?;
    tracing::info!(health = %workers.health_addr, "workers running");
    shutdown.await;
    workers.stop().await;
    Ok(())
}

/// The running workers.
pub struct Workers {
    /// Where `/health/live` and `/health/ready` answer.
    pub health_addr: SocketAddr,
    pub status: Status,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
}

/// Connects, binds the health port and starts every worker.
pub async fn spawn(config: WorkersConfig) -> anyhow::Result<Workers> {
    if config.settings.trading_mode == TradingMode::Live {
        anyhow::bail!(
            "TRADING_MODE=live is not supported by this version of the workers; use paper"
        );
    }
    let listener = TcpListener::bind(config.tunables.health_addr)
        .await
        .with_context(|| format!("binding the health port {}", config.tunables.health_addr))?;
    let health_addr = listener.local_addr()?;
    let status = Status::default();
    let ctx = Ctx::connect(config, status.clone()).await?;
    let cancel = CancellationToken::new();
    let mut tasks = JoinSet::new();

    let app = health::router(status.clone());
    let stop = cancel.clone();
    tasks.spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned());
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "health server stopped");
        }
    });
    tasks.spawn(poller::run(Arc::clone(&ctx), cancel.clone()));
    tasks.spawn(streamer::run(Arc::clone(&ctx), cancel.clone()));
    tasks.spawn(tpsl::run(Arc::clone(&ctx), cancel.clone()));
    tasks.spawn(copy::run(Arc::clone(&ctx), cancel.clone()));
    tasks.spawn(watched::run(Arc::clone(&ctx), cancel.clone()));
    Ok(Workers {
        health_addr,
        status,
        cancel,
        tasks,
    })
}

impl Workers {
    /// Asks every worker to finish what it is doing and waits for them.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
    }

    /// Stops every worker at once, wherever it is, as a crash would (tests).
    pub async fn kill(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
