//! Log lines that end with ` trace_id=<32 hex>` when written inside a span,
//! so a log line leads straight to its trace in Jaeger.

use std::fmt;
use std::sync::{Arc, OnceLock};

use opentelemetry::trace::TraceContextExt;
use tracing::dispatcher::WeakDispatch;
use tracing::{Dispatch, Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::fmt::format::{Format, Writer};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The dispatch the formatter lives in. A formatter has no handle on it, and
/// inside an event callback `tracing::dispatcher::get_default` returns the
/// no-op dispatch, so [`CaptureDispatch`] records it at registration.
pub(crate) type DispatchSlot = Arc<OnceLock<WeakDispatch>>;

pub(crate) struct CaptureDispatch(pub(crate) DispatchSlot);

impl<S: Subscriber> Layer<S> for CaptureDispatch {
    fn on_register_dispatch(&self, dispatch: &Dispatch) {
        let _ = self.0.set(dispatch.downgrade());
    }
}

/// The default full format (without ANSI colours, so lines stay greppable),
/// plus the OTel trace id of the event's span.
pub(crate) struct TraceIdFormat {
    inner: Format,
    dispatch: DispatchSlot,
}

impl TraceIdFormat {
    pub(crate) fn new(dispatch: DispatchSlot) -> Self {
        Self {
            inner: Format::default().with_ansi(false),
            dispatch,
        }
    }

    fn trace_id(&self, span: &tracing::span::Id) -> Option<String> {
        let dispatch = self.dispatch.get()?.upgrade()?;
        let cx = tracing_opentelemetry::get_otel_context(span, &dispatch)?;
        let span_context = cx.span().span_context().clone();
        span_context
            .is_valid()
            .then(|| span_context.trace_id().to_string())
    }
}

impl<S, N> FormatEvent<S, N> for TraceIdFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = String::new();
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        let span = ctx.parent_span().map(|span| span.id());
        match span.and_then(|id| self.trace_id(&id)) {
            Some(trace_id) => writeln!(writer, "{} trace_id={trace_id}", line.trim_end()),
            None => writer.write_str(&line),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::scoped_subscriber;

    #[test]
    fn lines_inside_a_span_carry_its_trace_id() {
        let (subscriber, captured) = scoped_subscriber();
        let trace_id = tracing::subscriber::with_default(subscriber, || {
            tracing::info!("before any span");
            let span = tracing::info_span!("request", user = 7);
            let _entered = span.enter();
            tracing::info!(answer = 42, "inside the span");
            crate::current_trace_id().expect("a span is active")
        });
        let text = captured.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].ends_with("before any span"), "{text}");
        assert!(!lines[0].contains("trace_id="), "{text}");
        assert!(lines[1].contains("request{user=7}"), "{text}");
        assert!(lines[1].contains("inside the span answer=42"), "{text}");
        assert!(
            lines[1].ends_with(&format!(" trace_id={trace_id}")),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "no ANSI colours: {text}");
    }
}
