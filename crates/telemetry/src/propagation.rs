//! W3C trace context across process boundaries: HTTP headers, and a bare
//! `traceparent` string for payloads (Redis stream entries, SSE events).
//!
//! These use `TraceContextPropagator` directly rather than the global
//! propagator, so they speak W3C even where `init` has not run (unit tests).

use std::collections::HashMap;

use opentelemetry::Context;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt;

const TRACEPARENT: &str = "traceparent";

/// Adds `traceparent` (and `tracestate` when present) for the current span;
/// adds nothing outside a span.
pub fn inject_headers(headers: &mut http::HeaderMap) {
    TraceContextPropagator::new().inject_context(&current_context(), &mut HeaderInjector(headers));
}

/// The remote parent carried by `headers`; an empty context when there is
/// none or it is malformed. Pass it to [`set_parent`].
pub fn extract_headers(headers: &http::HeaderMap) -> Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

/// `00-<trace id>-<span id>-<flags>` of the current span, to put in a message.
pub fn current_traceparent() -> Option<String> {
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&current_context(), &mut carrier);
    carrier.remove(TRACEPARENT)
}

/// The remote parent described by a `traceparent` taken from a message.
pub fn context_from_traceparent(traceparent: &str) -> Context {
    let carrier = HashMap::from([(TRACEPARENT.to_owned(), traceparent.trim().to_owned())]);
    TraceContextPropagator::new().extract(&carrier)
}

/// Makes `cx` (from [`extract_headers`] or [`context_from_traceparent`]) the
/// parent of `span`. Call it right after creating the span, before it is
/// first entered or instrumented: a started span keeps its parent, and the
/// call is then ignored.
pub fn set_parent(span: &tracing::Span, cx: Context) {
    if let Err(e) = OpenTelemetrySpanExt::set_parent(span, cx) {
        tracing::debug!(error = %e, "trace parent not set");
    }
}

/// The 32-hex-digit trace id of the current span, e.g. for error bodies.
pub fn current_trace_id() -> Option<String> {
    let cx = current_context();
    let span_context = cx.span().span_context().clone();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}

/// The OTel context of the current tracing span, falling back to a context
/// attached directly through the OTel API.
fn current_context() -> Context {
    let cx = tracing::Span::current().context();
    if cx.span().span_context().is_valid() {
        cx
    } else {
        Context::current()
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry::trace::{SpanId, TraceContextExt, TraceId};

    use super::*;
    use crate::test_support::scoped_subscriber;

    const KNOWN: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn in_span<T>(f: impl FnOnce() -> T) -> T {
        let (subscriber, _) = scoped_subscriber();
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("test");
            let _entered = span.enter();
            f()
        })
    }

    fn is_lower_hex(s: &str, len: usize) -> bool {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    #[test]
    fn headers_round_trip_the_trace_id() {
        let (trace_id, extracted) = in_span(|| {
            let mut headers = http::HeaderMap::new();
            inject_headers(&mut headers);
            assert!(headers.contains_key("traceparent"));
            (current_trace_id().unwrap(), extract_headers(&headers))
        });
        let remote = extracted.span().span_context().clone();
        assert!(remote.is_valid() && remote.is_remote());
        assert_eq!(remote.trace_id().to_string(), trace_id);
    }

    #[test]
    fn traceparent_has_the_w3c_shape() {
        let (traceparent, trace_id) =
            in_span(|| (current_traceparent().unwrap(), current_trace_id().unwrap()));
        let parts: Vec<&str> = traceparent.split('-').collect();
        assert_eq!(parts.len(), 4, "{traceparent}");
        assert_eq!(parts[0], "00");
        assert!(is_lower_hex(parts[1], 32), "{traceparent}");
        assert!(is_lower_hex(parts[2], 16), "{traceparent}");
        assert!(is_lower_hex(parts[3], 2), "{traceparent}");
        assert_eq!(parts[1], trace_id);
    }

    #[test]
    fn nothing_outside_a_span() {
        let (subscriber, _) = scoped_subscriber();
        tracing::subscriber::with_default(subscriber, || {
            assert_eq!(current_traceparent(), None);
            assert_eq!(current_trace_id(), None);
            let mut headers = http::HeaderMap::new();
            inject_headers(&mut headers);
            assert!(headers.is_empty());
        });
    }

    #[test]
    fn known_traceparent_parses() {
        let cx = context_from_traceparent(KNOWN);
        let sc = cx.span().span_context().clone();
        assert_eq!(
            sc.trace_id(),
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
        );
        assert_eq!(sc.span_id(), SpanId::from_hex("00f067aa0ba902b7").unwrap());
        assert!(sc.is_sampled() && sc.is_remote());

        let garbage = context_from_traceparent("not-a-traceparent");
        assert!(!garbage.span().span_context().is_valid());
    }

    #[test]
    fn set_parent_continues_a_remote_trace() {
        let (subscriber, _) = scoped_subscriber();
        let (trace_id, traceparent) = tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("consumer");
            set_parent(&span, context_from_traceparent(KNOWN));
            let _entered = span.enter();
            (current_trace_id(), current_traceparent().unwrap())
        });
        assert_eq!(
            trace_id.as_deref(),
            Some("4bf92f3577b34da6a3ce929d0e0e4736")
        );
        // Same trace, new span id: the consumer span is a child.
        assert!(traceparent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        assert!(!traceparent.contains("00f067aa0ba902b7"));
    }
}
