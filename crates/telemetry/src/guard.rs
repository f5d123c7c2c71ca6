//! Keeps a service's exporter alive and flushes it at exit.

use crate::sinks::Sink;

/// Returned by [`crate::init`]; owns that call's OTLP exporter (if any).
///
/// Shutting down blocks the calling thread until the pending spans are sent
/// (at most a few seconds). In async code call it from a blocking context,
/// `tokio::task::spawn_blocking(move || guard.shutdown())`, above all when the
/// trace receiver runs on the same runtime (tests), which a blocked
/// current-thread runtime could not serve.
#[derive(Debug)]
#[must_use = "dropping the guard stops trace export"]
pub struct TelemetryGuard {
    sink: Option<Sink>,
}

impl TelemetryGuard {
    pub(crate) fn new(sink: Option<Sink>) -> Self {
        Self { sink }
    }

    /// Exports finished spans now and keeps exporting (tests that look at
    /// the collector before the service stops).
    pub fn flush(&self) {
        if let Some(sink) = &self.sink
            && let Err(e) = sink.flush()
        {
            tracing::warn!(error = %e, "trace export flush failed");
        }
    }

    /// Exports the remaining spans and stops this guard's exporter.
    pub fn shutdown(mut self) {
        self.close();
    }

    fn close(&mut self) {
        if let Some(sink) = self.sink.take()
            && let Err(e) = sink.close()
        {
            tracing::warn!(error = %e, "trace export shutdown failed");
        }
    }
}

/// Dropping without [`TelemetryGuard::shutdown`] still flushes (same blocking
/// caveat).
impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        self.close();
    }
}
