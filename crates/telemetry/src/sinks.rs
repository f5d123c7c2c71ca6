//! Export destinations that can come and go while the process runs.
//!
//! The tracing subscriber, and so the tracer inside it, can be installed only
//! once per process; tests start several services (each calling `init`) in
//! one binary. So the single tracer provider feeds a [`FanOut`] processor, and
//! every `init` with an endpoint plugs its own batch processor into it; its
//! guard unplugs and flushes it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

/// Plugged-in processors with the id their [`Sink`] removes them by.
type Active = Vec<(u64, Arc<dyn SpanProcessor>)>;

#[derive(Debug, Default)]
pub(crate) struct Sinks {
    next_id: AtomicU64,
    active: RwLock<Active>,
}

impl Sinks {
    pub(crate) fn add(self: &Arc<Self>, processor: Arc<dyn SpanProcessor>) -> Sink {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.write().push((id, processor.clone()));
        Sink {
            id,
            processor,
            sinks: Arc::clone(self),
        }
    }

    fn remove(&self, id: u64) {
        self.write().retain(|(sink, _)| *sink != id);
    }

    fn snapshot(&self) -> Vec<Arc<dyn SpanProcessor>> {
        self.read().iter().map(|(_, p)| Arc::clone(p)).collect()
    }

    fn read(&self) -> RwLockReadGuard<'_, Active> {
        self.active.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Active> {
        self.active.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One plugged-in processor; [`Sink::close`] unplugs it and flushes it.
#[derive(Debug)]
pub(crate) struct Sink {
    id: u64,
    processor: Arc<dyn SpanProcessor>,
    sinks: Arc<Sinks>,
}

impl Sink {
    pub(crate) fn flush(&self) -> OTelSdkResult {
        self.processor.force_flush()
    }

    /// Blocks until pending spans are exported (or the processor's timeout).
    pub(crate) fn close(self) -> OTelSdkResult {
        self.sinks.remove(self.id);
        self.processor.shutdown()
    }
}

/// The one processor of the global provider: hands each ended span to every
/// plugged-in sink (none when no endpoint is configured).
#[derive(Debug)]
pub(crate) struct FanOut(pub(crate) Arc<Sinks>);

impl SpanProcessor for FanOut {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        for (_, sink) in self.0.read().iter() {
            sink.on_start(span, cx);
        }
    }

    // Batch processors only enqueue here, so holding the read lock is cheap.
    fn on_end(&self, span: SpanData) {
        let sinks = self.0.read();
        if let Some(((_, last), rest)) = sinks.split_last() {
            for (_, sink) in rest {
                sink.on_end(span.clone());
            }
            last.on_end(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.0.snapshot().iter().try_for_each(|s| s.force_flush())
    }

    /// Sinks belong to their guards, which shut them down; nothing to do here.
    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}
