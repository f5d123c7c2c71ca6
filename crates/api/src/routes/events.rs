use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt};
use ts_core::event::EventEnvelope;

use crate::error::ApiResult;
use crate::state::AppState;

const BLOCK: Duration = Duration::from_secs(10);
const BATCH: usize = 100;

/// Notifications as server-sent events. Each carries the stream id; a client that
/// reconnects with `Last-Event-ID` gets everything it missed. Without it, only new events.
#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(("Last-Event-ID" = Option<String>, Header)),
    responses((status = 200, content_type = "text/event-stream", body = EventEnvelope)), security(("bearer" = [])))]
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|id| is_stream_id(id))
        .map(str::to_string);
    let start = match resume {
        Some(id) => id,
        None => state
            .cache
            .last_event_id()
            .await?
            .unwrap_or_else(|| "0-0".to_string()),
    };
    // A blocking XREAD needs its own connection, or it would stall every other request.
    let conn = state.cache.dedicated_connection().await?;
    let cache = state.cache.clone();
    let batches = stream::unfold(
        (conn, start, cache),
        |(mut conn, after, cache)| async move {
            loop {
                match cache.read_events(&mut conn, &after, BLOCK, BATCH).await {
                    Ok(batch) if batch.is_empty() => continue,
                    Ok(batch) => {
                        let next = batch.last().map(|e| e.id.clone()).unwrap_or(after);
                        return Some((batch, (conn, next, cache)));
                    }
                    Err(e) => {
                        // End the stream; the client reconnects with Last-Event-ID.
                        tracing::warn!(error = %e, "events stream read failed; closing the SSE connection");
                        return None;
                    }
                }
            }
        },
    );
    let events = batches
        .flat_map(|batch| stream::iter(batch.into_iter().map(to_sse)))
        .take_until(state.shutdown.cancelled_owned());
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

fn to_sse(envelope: EventEnvelope) -> Result<SseEvent, Infallible> {
    let data = serde_json::to_string(&envelope).unwrap_or_default();
    Ok(SseEvent::default()
        .id(envelope.id.clone())
        .event(envelope.event.kind())
        .data(data))
}

/// A Redis stream id: `<ms>-<seq>`.
fn is_stream_id(id: &str) -> bool {
    id.split_once('-').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}
