//! An OTLP/HTTP trace receiver (`POST /v1/traces`, protobuf) that keeps every span it
//! gets, and a way to run services in one test process under their own tracer, so a
//! trace that crosses api, workers and bot shows each span with its service's name.
//!
//! `ts_telemetry::init` installs one global subscriber per process, which would label
//! every span with one service. Instead [`ServiceRuntime`] is a tokio runtime whose
//! threads all use that service's own subscriber (tracing + OpenTelemetry + an OTLP
//! exporter to the receiver): whatever the service spawns runs on those threads.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SdkTracerProvider};
use prost::Message as _;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tracing_subscriber::layer::SubscriberExt;

/// One span as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedSpan {
    /// `service.name` of the resource that sent it.
    pub service: String,
    pub name: String,
    /// 32 lower-case hex digits.
    pub trace_id: String,
    /// 16 lower-case hex digits.
    pub span_id: String,
    pub parent_span_id: Option<String>,
    /// String, integer and boolean attributes, as text.
    pub attributes: BTreeMap<String, String>,
}

type Spans = Arc<Mutex<Vec<ReceivedSpan>>>;

pub struct OtlpReceiver {
    /// `http://127.0.0.1:<port>`: the value of `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub url: String,
    spans: Spans,
    _shutdown: oneshot::Sender<()>,
}

impl OtlpReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        let spans = Spans::default();
        let app = Router::new()
            .route("/v1/traces", post(receive))
            .with_state(Arc::clone(&spans));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let stop = async {
                let _ = rx.await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stop)
                .await;
        });
        Ok(Self {
            url,
            spans,
            _shutdown: tx,
        })
    }

    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.spans.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until `done` holds for the spans received so far; returns them.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        done: impl Fn(&[ReceivedSpan]) -> bool,
    ) -> anyhow::Result<Vec<ReceivedSpan>> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let spans = self.spans();
            if done(&spans) {
                return Ok(spans);
            }
            if tokio::time::Instant::now() >= deadline {
                anyhow::bail!(
                    "the expected spans did not arrive within {timeout:?}; got {spans:#?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(State(spans): State<Spans>, body: Bytes) -> StatusCode {
    let Ok(request) = ExportTraceServiceRequest::decode(body) else {
        return StatusCode::BAD_REQUEST;
    };
    let mut received = Vec::new();
    for resource in request.resource_spans {
        let attributes = resource.resource.map(|r| r.attributes).unwrap_or_default();
        let service = text_attributes(&attributes)
            .remove("service.name")
            .unwrap_or_default();
        for scope in resource.scope_spans {
            for span in scope.spans {
                received.push(ReceivedSpan {
                    service: service.clone(),
                    name: span.name,
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: (!span.parent_span_id.is_empty())
                        .then(|| hex(&span.parent_span_id)),
                    attributes: text_attributes(&span.attributes),
                });
            }
        }
    }
    spans
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(received);
    StatusCode::OK
}

fn text_attributes(
    attributes: &[opentelemetry_proto::tonic::common::v1::KeyValue],
) -> BTreeMap<String, String> {
    attributes
        .iter()
        .filter_map(|kv| {
            let value = match kv.value.as_ref()?.value.as_ref()? {
                AnyValue::StringValue(s) => s.clone(),
                AnyValue::IntValue(i) => i.to_string(),
                AnyValue::BoolValue(b) => b.to_string(),
                AnyValue::DoubleValue(d) => d.to_string(),
                _ => return None,
            };
            Some((kv.key.clone(), value))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A runtime whose threads trace as one service, exporting to an OTLP endpoint.
pub struct ServiceRuntime {
    runtime: Option<tokio::runtime::Runtime>,
    provider: SdkTracerProvider,
}

thread_local! {
    static SERVICE_DISPATCH: std::cell::RefCell<Option<tracing::dispatcher::DefaultGuard>> =
        const { std::cell::RefCell::new(None) };
}

impl ServiceRuntime {
    pub fn new(service_name: &str, otlp_endpoint: &str) -> anyhow::Result<Self> {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(format!("{}/v1/traces", otlp_endpoint.trim_end_matches('/')))
            .build()?;
        let provider = SdkTracerProvider::builder()
            .with_resource(
                Resource::builder()
                    .with_service_name(service_name.to_owned())
                    .build(),
            )
            // The batch processor exports from its own thread (with the blocking client).
            .with_span_processor(BatchSpanProcessor::builder(exporter).build())
            .build();
        let subscriber = tracing_subscriber::registry()
            .with(tracing_subscriber::EnvFilter::new("info"))
            .with(
                tracing_opentelemetry::layer()
                    .with_tracer(provider.tracer(service_name.to_owned())),
            );
        let dispatch = tracing::Dispatch::new(subscriber);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(format!("{service_name}-rt"))
            .enable_all()
            .on_thread_start(move || {
                let guard = tracing::dispatcher::set_default(&dispatch);
                SERVICE_DISPATCH.with(|slot| *slot.borrow_mut() = Some(guard));
            })
            .on_thread_stop(|| SERVICE_DISPATCH.with(|slot| drop(slot.borrow_mut().take())))
            .build()?;
        Ok(Self {
            runtime: Some(runtime),
            provider,
        })
    }

    /// Runs `future` (and everything it spawns) on this service's threads.
    pub async fn run<F>(&self, future: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let runtime = self.runtime.as_ref().expect("runtime is alive until drop");
        runtime.spawn(future).await.expect("service task panicked")
    }

    /// Exports the finished spans now (blocks: call from `spawn_blocking`).
    pub fn flush(&self) {
        let _ = self.provider.force_flush();
    }
}

impl Drop for ServiceRuntime {
    fn drop(&mut self) {
        // Dropping a runtime may not block inside another runtime's task.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
