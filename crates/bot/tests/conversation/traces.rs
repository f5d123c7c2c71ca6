//! Every API call made while handling an update carries the update span's
//! `traceparent`: one trace per update, shared by the bot's and the api's spans.

use std::collections::HashSet;

use crate::stack::Stack;

fn trace_id(traceparent: &str) -> String {
    let parts: Vec<&str> = traceparent.split('-').collect();
    assert_eq!(parts.len(), 4, "{traceparent}");
    assert_eq!(parts[0], "00");
    assert_eq!(parts[1].len(), 32);
    parts[1].to_string()
}

#[tokio::test]
async fn api_calls_carry_the_update_trace() {
    let stack = Stack::start().await;
    let cal = stack.user(1201, "Cal");
    let seen_before = stack.proxy.traceparents().len();

    cal.send_text("/start");
    cal.reply().await.unwrap();
    let after_start = stack.proxy.traceparents();
    let start_traces: HashSet<String> = after_start[seen_before..]
        .iter()
        .map(|t| trace_id(t))
        .collect();
    assert_eq!(
        start_traces.len(),
        1,
        "one update, one trace: {after_start:?}"
    );

    // A press makes two API calls (allocations and leaders): both in the press's trace.
    cal.send_text("/copy_trading");
    cal.reply().await.unwrap();
    let before_press = stack.proxy.traceparents().len();
    cal.press("📋 My copies").unwrap();
    cal.reply().await.unwrap();
    let all = stack.proxy.traceparents();
    let press: Vec<String> = all[before_press..].iter().map(|t| trace_id(t)).collect();
    assert!(press.len() >= 2, "{press:?}");
    assert!(press.iter().all(|t| *t == press[0]), "{press:?}");
    assert!(
        !start_traces.contains(&press[0]),
        "another update, another trace"
    );
}
