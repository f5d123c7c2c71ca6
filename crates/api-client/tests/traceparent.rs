//! `traceparent` goes out on every request, from the call's own client span.
mod common;

use common::{Answer, TestServer};
use serde_json::json;
use tracing::Instrument;

/// (trace id, span id) of a W3C `traceparent`.
fn parse(traceparent: &str) -> (String, String) {
    let parts: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(parts.len(), 4, "{traceparent}");
    assert_eq!(parts[0], "00", "{traceparent}");
    assert_eq!(parts[1].len(), 32, "{traceparent}");
    assert_eq!(parts[2].len(), 16, "{traceparent}");
    (parts[1].to_string(), parts[2].to_string())
}

#[tokio::test]
async fn traceparent_is_injected_from_the_call_span() {
    let _telemetry = ts_telemetry::init("api-client-test", None).expect("telemetry initialised");
    let server = TestServer::start(|seen, n| {
        if seen.path == "/webhooks/indexer" {
            Answer::ok(json!({"received": 0, "stored": 0, "duplicates": 0}))
        } else if n == 0 {
            Answer::error(503, "dependency_unavailable", "down")
        } else {
            Answer::ok(json!([]))
        }
    })
    .await;
    let client = server.client();

    let handler = tracing::info_span!("bot.handler");
    async {
        client.leaders().await.unwrap();
        client.trades(None, None).await.unwrap();
    }
    .instrument(handler)
    .await;
    client.send_webhook("s", b"[]").await.unwrap();

    let seen = server.requests();
    assert_eq!(seen.len(), 4);
    let ids: Vec<(String, String)> = seen
        .iter()
        .map(|s| parse(s.header("traceparent").expect("traceparent sent")))
        .collect();
    // Both attempts of one call carry the same client span.
    assert_eq!(ids[0], ids[1], "a retry is an attempt of the same span");
    // Two calls in one handler: the same trace, each under its own span.
    assert_eq!(ids[0].0, ids[2].0, "calls in one handler share its trace");
    assert_ne!(ids[0].1, ids[2].1, "each call has its own span");
    // A call outside any span starts a trace of its own.
    assert_ne!(ids[3].0, ids[0].0);
}
