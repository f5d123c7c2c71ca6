use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use ts_cache::Cache;
use ts_core::event::Event;
use ts_store::Store;

/// Shared handles of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub cache: Cache,
    pub inner: Arc<Inner>,
    /// Cancelled when the server starts shutting down, so long-lived responses (the
    /// events stream) end and graceful shutdown can complete.
    pub shutdown: CancellationToken,
}

pub struct Inner {
    pub api_token: String,
    pub webhook_secret: String,
    pub cache_ttl: Duration,
}

impl AppState {
    /// Appends a notification to the events stream. Notifications are best effort:
    /// the write that caused them has already succeeded, so a Redis hiccup is logged.
    pub async fn notify(&self, event: Event) {
        let kind = event.kind();
        if let Err(e) = self
            .cache
            .append_event(&event, ts_telemetry::current_traceparent())
            .await
        {
            tracing::warn!(error = %e, kind, "could not append the event to the events stream");
        }
    }
}
