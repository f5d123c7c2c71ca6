//! Why telemetry could not be set up.

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// `RUST_LOG` is set but is not a valid filter.
    #[error("RUST_LOG is not a valid log filter: {0}")]
    Filter(String),
    /// The OTLP exporter could not be built (bad endpoint, HTTP client).
    #[error("OTLP exporter for {endpoint} could not be built: {reason}")]
    Exporter { endpoint: String, reason: String },
}
