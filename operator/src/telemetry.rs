//! Logs and traces: a `tracing` subscriber that logs to stdout and, when an OTLP endpoint is
//! given, exports spans over OTLP/HTTP (protobuf). Every reconcile is one span named
//! `reconcile` carrying `stack.name` and `stack.namespace`.

use opentelemetry::global;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry};

pub const SERVICE_NAME: &str = "tradingstack-operator";

/// Keeps the tracer provider alive; call [`TelemetryGuard::shutdown`] before exit so buffered
/// spans are flushed.
#[must_use = "dropping the guard without shutdown loses the buffered spans"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Flushes and stops the exporter. The batch processor blocks, so this runs on the blocking
    /// pool.
    pub async fn shutdown(self) {
        if let Some(provider) = self.provider {
            match tokio::task::spawn_blocking(move || provider.shutdown()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("tracer shutdown: {e}"),
                Err(e) => eprintln!("tracer shutdown task: {e}"),
            }
        }
    }
}

/// `{endpoint}/v1/traces`, the OTLP/HTTP traces path under a collector's base URL.
pub fn traces_url(endpoint: &str) -> String {
    format!("{}/v1/traces", endpoint.trim_end_matches('/'))
}

/// Installs the global subscriber (filter from `RUST_LOG`, default `info`) and, with an
/// endpoint, the OTLP exporter and the W3C trace-context propagator.
pub fn init(otlp_endpoint: Option<&str>) -> anyhow::Result<TelemetryGuard> {
    global::set_text_map_propagator(TraceContextPropagator::new());
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer().compact();

    let provider = match otlp_endpoint.filter(|e| !e.is_empty()) {
        Some(endpoint) => {
            let exporter = SpanExporter::builder()
                .with_http()
                .with_endpoint(traces_url(endpoint))
                .build()?;
            Some(
                SdkTracerProvider::builder()
                    .with_resource(Resource::builder().with_service_name(SERVICE_NAME).build())
                    .with_batch_exporter(exporter)
                    .build(),
            )
        }
        None => None,
    };
    let otel = provider.as_ref().map(|p| {
        global::set_tracer_provider(p.clone());
        tracing_opentelemetry::layer().with_tracer(p.tracer(SERVICE_NAME))
    });
    Registry::default()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()?;
    Ok(TelemetryGuard { provider })
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn traces_go_to_the_v1_traces_path() {
        assert_eq!(
            traces_url("http://jaeger:4318"),
            "http://jaeger:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://jaeger:4318/"),
            "http://jaeger:4318/v1/traces"
        );
    }
}
