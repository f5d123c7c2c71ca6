//! The bot started in-process (tests, benchmarks, the local demo): the real
//! dispatcher, stopped through its handle.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use ts_config::BotSettings;

use crate::options::Options;

pub struct BotHandle {
    /// Where `/health/live` and `/health/ready` are served.
    pub health_addr: SocketAddr,
    stop: CancellationToken,
    task: Option<JoinHandle<anyhow::Result<()>>>,
}

/// Starts the bot on the current runtime. Without a health listener in `options`,
/// health is served on a random port of 127.0.0.1.
pub async fn spawn(settings: BotSettings, mut options: Options) -> anyhow::Result<BotHandle> {
    let listener = match options.health_listener.take() {
        Some(listener) => listener,
        None => TcpListener::bind("127.0.0.1:0").await?,
    };
    let health_addr = listener.local_addr()?;
    options.health_listener = Some(listener);
    let stop = CancellationToken::new();
    let task = tokio::spawn(crate::service::run_until(settings, options, stop.clone()));
    Ok(BotHandle {
        health_addr,
        stop,
        task: Some(task),
    })
}

impl BotHandle {
    pub fn health_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.health_addr)
    }

    /// True once the bot stopped (e.g. after a start-up error).
    pub fn is_finished(&self) -> bool {
        self.task.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops the bot and returns how its run ended.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop.cancel();
        match self.task.take() {
            Some(task) => task.await?,
            None => Ok(()),
        }
    }
}

impl Drop for BotHandle {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
