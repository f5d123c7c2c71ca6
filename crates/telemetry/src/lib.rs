//! Logging and distributed tracing for every TradingStack service:
//! `tracing` with an `RUST_LOG` filter, OpenTelemetry spans exported over
//! OTLP/HTTP, and W3C trace-context propagation through HTTP headers and
//! message payloads.
//!
//! ```no_run
//! let guard = ts_telemetry::init("api", Some("http://localhost:4318"))?;
//! // ... run the service ...
//! guard.shutdown();
//! # Ok::<(), ts_telemetry::TelemetryError>(())
//! ```

mod error;
mod fmt;
mod guard;
mod init;
mod propagation;
mod service;
mod sinks;

pub use error::TelemetryError;
pub use guard::TelemetryGuard;
pub use init::init;
pub use propagation::{
    context_from_traceparent, current_trace_id, current_traceparent, extract_headers,
    inject_headers, set_parent,
};
pub use service::{run_service, shutdown_signal};
#[cfg(test)]
mod test_support;
