//! Tunables that are not configuration: sensible defaults for the service, and knobs
//! for tests (short timeouts, a pre-bound health listener).

use std::time::Duration;

use tokio::net::TcpListener;

use crate::backoff::Backoff;

pub struct Options {
    /// Where health is served; `None` binds `0.0.0.0:HEALTH_PORT`.
    pub health_listener: Option<TcpListener>,
    /// How long buttons keep working.
    pub menu_ttl: Duration,
    /// Pacing of the start-up waits for the API and the Bot API.
    pub startup_backoff: Backoff,
    /// Pacing of reconnects to the API's events stream.
    pub events_backoff: Backoff,
    /// Time limit of one API call attempt.
    pub api_timeout: Duration,
    /// Retries of an idempotent API call before the user is told it is unavailable.
    pub api_retries: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            health_listener: None,
            menu_ttl: Duration::from_secs(30 * 60),
            startup_backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(15)),
            events_backoff: crate::notify::BACKOFF,
            api_timeout: Duration::from_secs(5),
            api_retries: 2,
        }
    }
}
