//! What the workers run with: the service settings plus timings that production takes
//! from defaults and tests shorten.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ts_config::WorkersSettings;

/// A test hook run between processing a leader trade and acknowledging it (to kill the
/// listener exactly there).
pub type BeforeAck = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

#[derive(Clone)]
pub struct WorkersConfig {
    pub settings: WorkersSettings,
    pub tunables: Tunables,
}

#[derive(Clone)]
pub struct Tunables {
    /// Where `/health/*` listens; `0.0.0.0:HEALTH_PORT` by default.
    pub health_addr: SocketAddr,
    /// The poller's period (`POLL_INTERVAL_SECS`).
    pub poll_interval: Duration,
    /// First reconnect delay of the market socket (doubling to 60 s).
    pub socket_backoff: Duration,
    /// This listener's name in the consumer group: `{hostname}-{pid}` by default.
    pub consumer_name: String,
    /// A stream entry read but not acknowledged for this long is taken over (a crashed
    /// or stuck consumer), which is also how a failed copy is retried.
    pub claim_idle: Duration,
    /// How often the listener looks for such entries.
    pub claim_every: Duration,
    /// Longest wait of one stream read.
    pub read_block: Duration,
    /// A trade whose market or price is still unknown after this long is skipped (with
    /// the reason recorded) instead of retried again.
    pub copy_give_up_after: Duration,
    /// Follower positions opened in parallel for one leader trade.
    pub copy_concurrency: usize,
    /// How often the watched addresses are read from the API.
    pub watched_refresh: Duration,
    /// How often the Data API activity of leaders without a webhook is polled.
    pub activity_poll: Duration,
    /// TP/SL close requests in flight at once.
    pub close_concurrency: usize,
    pub before_ack: Option<BeforeAck>,
}

impl fmt::Debug for Tunables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tunables")
            .field("health_addr", &self.health_addr)
            .field("poll_interval", &self.poll_interval)
            .field("consumer_name", &self.consumer_name)
            .field("claim_idle", &self.claim_idle)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for WorkersConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkersConfig")
            .field("settings", &self.settings)
            .field("tunables", &self.tunables)
            .finish()
    }
}

impl WorkersConfig {
    pub fn new(settings: WorkersSettings) -> Self {
        let tunables = Tunables {
            health_addr: SocketAddr::from(([0, 0, 0, 0], settings.health_port)),
            poll_interval: Duration::from_secs(settings.poll_interval_secs),
            socket_backoff: Duration::from_secs(1),
            consumer_name: default_consumer_name(),
            claim_idle: Duration::from_secs(30),
            claim_every: Duration::from_secs(10),
            read_block: Duration::from_secs(5),
            copy_give_up_after: Duration::from_secs(300),
            copy_concurrency: 64,
            watched_refresh: Duration::from_secs(30),
            activity_poll: Duration::from_secs(10),
            close_concurrency: 64,
            before_ack: None,
        };
        Self { settings, tunables }
    }
}

/// The pod name (Kubernetes sets `HOSTNAME`) and the process id: unique per replica
/// and per restart, so a restarted listener takes over its predecessor's entries
/// through XAUTOCLAIM rather than by reusing its name.
fn default_consumer_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or_else(|| "workers".into());
    format!("{}-{}", host.trim(), std::process::id())
}
