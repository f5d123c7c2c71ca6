//! Process-wide setup: the tracing subscriber, the OTel tracer provider and
//! the W3C propagator, plus one OTLP exporter per `init` call that asks for it.

use std::sync::{Arc, OnceLock};

use opentelemetry::global;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracer, SdkTracerProvider, SpanExporter};
use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::fmt::{CaptureDispatch, DispatchSlot, TraceIdFormat};
use crate::sinks::{FanOut, Sinks};
use crate::{TelemetryError, TelemetryGuard};

/// Installed once per process, on the first `init`.
struct Installed {
    sinks: Arc<Sinks>,
    // Kept so the provider (shared with the subscriber's tracer) is never
    // shut down behind the guards' backs.
    _provider: SdkTracerProvider,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

/// Sets up logging and tracing for a service.
///
/// * Logs go to stdout, filtered by `RUST_LOG` (default `info`); a line written
///   inside a span ends with ` trace_id=<32 hex>`.
/// * Tracing spans become OpenTelemetry spans, with W3C trace context
///   propagation (the global propagator is set too).
/// * With `otlp_endpoint` (e.g. `http://localhost:4318`), finished spans are
///   batched and sent as OTLP/HTTP protobuf to `{endpoint}/v1/traces`, with
///   `service.name` = `service_name`.
///
/// Safe to call more than once per process (tests run several services in one
/// binary): the subscriber is installed by the first call only (or not at all
/// if another one is already global), while every call with an endpoint adds
/// its own exporter, active until its guard shuts down. Each exporter then
/// receives the spans of the whole process.
///
/// Keep the guard alive for the life of the service and call
/// [`TelemetryGuard::shutdown`] at exit so the last spans are sent.
pub fn init(
    service_name: &str,
    otlp_endpoint: Option<&str>,
) -> Result<TelemetryGuard, TelemetryError> {
    global::set_text_map_propagator(TraceContextPropagator::new());
    let filter = env_filter()?;
    let installed = INSTALLED.get_or_init(|| install(filter));
    let sink = match otlp_endpoint.filter(|e| !e.trim().is_empty()) {
        Some(endpoint) => {
            let processor = batch_processor(service_name, endpoint)?;
            Some(installed.sinks.add(Arc::new(processor)))
        }
        None => None,
    };
    Ok(TelemetryGuard::new(sink))
}

fn install(filter: EnvFilter) -> Installed {
    let sinks = Arc::new(Sinks::default());
    let provider = SdkTracerProvider::builder()
        .with_span_processor(FanOut(Arc::clone(&sinks)))
        .build();
    global::set_tracer_provider(provider.clone());
    let tracer = provider.tracer("tradingstack");
    // Another global subscriber (e.g. a test harness's) may already be set:
    // keep it rather than fail; the exporters still work for OTel-API spans.
    let _ = subscriber(filter, tracer, std::io::stdout).try_init();
    Installed {
        sinks,
        _provider: provider,
    }
}

/// The layered subscriber: filter, OTel bridge, then the trace-id formatter.
pub(crate) fn subscriber<W>(
    filter: EnvFilter,
    tracer: SdkTracer,
    writer: W,
) -> impl Subscriber + Send + Sync + 'static
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let dispatch = DispatchSlot::default();
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_opentelemetry::layer().with_tracer(tracer))
        .with(
            tracing_subscriber::fmt::layer()
                // Span fields are pre-rendered by the layer, not the format.
                .with_ansi(false)
                .event_format(TraceIdFormat::new(Arc::clone(&dispatch)))
                .with_writer(writer),
        )
        .with(CaptureDispatch(dispatch))
}

/// `RUST_LOG`, or `info` when unset; a typo is reported rather than silently
/// logging everything or nothing.
fn env_filter() -> Result<EnvFilter, TelemetryError> {
    match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => {
            EnvFilter::try_new(directives).map_err(|e| TelemetryError::Filter(e.to_string()))
        }
        _ => Ok(EnvFilter::new("info")),
    }
}

/// An OTLP/HTTP protobuf exporter behind a batch processor. The processor runs
/// on its own thread, hence the blocking reqwest client (the crate's
/// `reqwest-blocking-client` feature): an async client there panics with
/// "no reactor running".
fn batch_processor(
    service_name: &str,
    endpoint: &str,
) -> Result<BatchSpanProcessor, TelemetryError> {
    let url = traces_url(endpoint);
    let mut exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url.clone())
        .build()
        .map_err(|e| TelemetryError::Exporter {
            endpoint: url,
            reason: e.to_string(),
        })?;
    exporter.set_resource(
        &Resource::builder()
            .with_service_name(service_name.to_owned())
            .build(),
    );
    Ok(BatchSpanProcessor::builder(exporter).build())
}

/// An endpoint given in code is used verbatim by the exporter, so the signal
/// path is appended here (as the SDK does for `OTEL_EXPORTER_OTLP_ENDPOINT`).
fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim().trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_owned()
    } else {
        format!("{base}/v1/traces")
    }
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn traces_path_is_appended_once() {
        assert_eq!(traces_url("http://c:4318"), "http://c:4318/v1/traces");
        assert_eq!(traces_url("http://c:4318/"), "http://c:4318/v1/traces");
        assert_eq!(
            traces_url("http://c:4318/v1/traces"),
            "http://c:4318/v1/traces"
        );
        assert_eq!(traces_url("http://c/otel"), "http://c/otel/v1/traces");
    }
}
