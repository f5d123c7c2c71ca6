//! The client against a scripted local server: headers, retries, errors, streams.
mod common;

use std::time::{Duration, Instant};

use api_client::{ApiClient, ApiError, ClientConfig, MarketQuery, sign_webhook};
use common::{ALLOCATION_ID, Answer, LEADER, POSITION_ID, TOKEN, TestServer};
use futures::StreamExt;
use serde_json::json;
use ts_core::copy::{CreateAllocationRequest, SizingMode};
use ts_core::event::Event;
use ts_core::position::{
    ClosePositionRequest, CloseReason, OpenPositionRequest, PositionSource, PositionStatus,
    UpdateTpSlRequest,
};
use ts_core::user::UpsertUser;
use ts_core::{Decimal, LeaderAddress};
use uuid::Uuid;

fn open_request() -> OpenPositionRequest {
    OpenPositionRequest {
        telegram_id: 42,
        market_id: "m1".into(),
        outcome: "Yes".into(),
        amount: Decimal::from(10),
        take_profit: None,
        stop_loss: None,
        source: PositionSource::Manual,
        allocation_id: None,
        leader_trade_id: None,
        max_price: None,
    }
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

#[tokio::test]
async fn sends_the_bearer_token_and_decodes_the_user() {
    let server = TestServer::start(|_, _| Answer::ok(common::user(42))).await;
    let user = server.client().get_user(42).await.unwrap();
    assert_eq!(user.telegram_id, 42);
    assert_eq!(user.username.as_deref(), Some("alice"));

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].path, "/api/v1/users/42");
    assert_eq!(seen[0].header("authorization"), Some(bearer().as_str()));
    assert!(
        seen[0]
            .header("user-agent")
            .unwrap()
            .starts_with("tradingstack-api-client/")
    );
}

#[tokio::test]
async fn a_base_url_path_prefix_is_kept() {
    let server = TestServer::start(|_, _| Answer::ok(common::user(7))).await;
    let client = ApiClient::new(ClientConfig::new(
        format!("{}/prefix/", server.base_url),
        TOKEN,
    ))
    .unwrap();
    client.get_user(7).await.unwrap();
    assert_eq!(server.requests()[0].path, "/prefix/api/v1/users/7");
}

#[tokio::test]
async fn an_idempotent_get_is_retried_on_503_until_it_succeeds() {
    let server = TestServer::start(|_, n| {
        if n < 2 {
            Answer::error(503, "dependency_unavailable", "redis is down")
        } else {
            Answer::ok(common::market("m/1"))
        }
    })
    .await;
    let market = server.client().get_market("m/1").await.unwrap();
    assert_eq!(market.id, "m/1");
    assert_eq!(market.outcomes.len(), 2);
    let seen = server.requests();
    assert_eq!(seen.len(), 3, "two failures and the success");
    assert!(seen.iter().all(|s| s.path == "/api/v1/markets/m%2F1"));
}

#[tokio::test]
async fn retries_stop_after_max_retries_with_unavailable() {
    let server = TestServer::start(|_, n| match n % 3 {
        0 => Answer::error(503, "dependency_unavailable", "postgres is down"),
        1 => Answer::text(502, "bad gateway"),
        _ => Answer::text(504, ""),
    })
    .await;
    let client = server.client_with(|c| c.max_retries = 2);
    let err = client.leaders().await.unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    assert_eq!(err.code(), None);
    assert_eq!(server.hits(), 3, "the first try and two retries");

    // The API's reason reaches the message of the 503.
    let server =
        TestServer::start(|_, _| Answer::error(503, "dependency_unavailable", "postgres is down"))
            .await;
    let err = server
        .client_with(|c| c.max_retries = 0)
        .watched_addresses()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("postgres is down"), "{err}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_webhook_is_signed_sent_without_bearer_and_not_retried_on_503() {
    let server =
        TestServer::start(|_, _| Answer::error(503, "dependency_unavailable", "redis")).await;
    let body = br#"{"trades":[]}"#;
    let err = server
        .client()
        .send_webhook("whsec", body)
        .await
        .unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    let seen = server.requests();
    assert_eq!(seen.len(), 1, "a non-idempotent call is sent once");
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/webhooks/indexer");
    assert_eq!(seen[0].body, body);
    assert_eq!(seen[0].header("authorization"), None);
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(
        seen[0].header("x-signature"),
        Some(sign_webhook("whsec", body).as_str())
    );
    assert!(
        seen[0]
            .header("x-signature")
            .unwrap()
            .starts_with("sha256=")
    );
}

#[tokio::test]
async fn a_webhook_returns_the_receipt() {
    let server =
        TestServer::start(|_, _| Answer::ok(json!({"received": 2, "stored": 1, "duplicates": 1})))
            .await;
    let receipt = server.client().send_webhook("s", b"[]").await.unwrap();
    assert_eq!(
        (receipt.received, receipt.stored, receipt.duplicates),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn client_errors_keep_the_api_code_and_message_and_are_never_retried() {
    let server = TestServer::start(|seen, _| {
        if seen.path == "/api/v1/positions" {
            Answer::error(409, "price_moved", "price 0.61 is above max_price 0.6")
        } else {
            Answer::error(404, "not_found", "user 9 not found")
        }
    })
    .await;
    let client = server.client();

    let err = client
        .open_position(&open_request(), None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("price_moved"));
    assert_eq!(err.status(), Some(409));
    assert!(!err.is_unavailable());
    match &err {
        ApiError::Api { message, .. } => assert_eq!(message, "price 0.61 is above max_price 0.6"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits(), 1);

    let err = client.get_user(9).await.unwrap_err();
    assert_eq!(err.code(), Some("not_found"));
    assert!(err.is_not_found());
    assert_eq!(server.hits(), 2, "a GET answered 404 is not retried either");
}

#[tokio::test]
async fn a_non_json_error_body_becomes_an_http_code() {
    let server = TestServer::start(|_, _| Answer::text(400, "missing field")).await;
    let err = server.client().get_user(1).await.unwrap_err();
    assert_eq!(err.code(), Some("http_400"));
    assert_eq!(err.status(), Some(400));
    assert!(matches!(&err, ApiError::Api { message, .. } if message == "missing field"));
}

#[tokio::test]
async fn the_idempotency_key_is_the_same_on_every_retry() {
    let server = TestServer::start(|_, n| match n {
        0 => Answer::error(503, "dependency_unavailable", "down"),
        1 => Answer::text(502, "bad gateway"),
        _ => Answer::json(201, common::position("open")),
    })
    .await;
    let position = server
        .client()
        .open_position(&open_request(), None)
        .await
        .unwrap();
    assert_eq!(position.id.to_string(), POSITION_ID);
    assert_eq!(position.status, PositionStatus::Open);

    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    let keys: Vec<&str> = seen
        .iter()
        .map(|s| s.header("idempotency-key").unwrap())
        .collect();
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    Uuid::parse_str(keys[0]).expect("a generated key is a UUID");
    assert!(seen.iter().all(|s| s.body == seen[0].body));
    assert_eq!(seen[0].json()["amount"], json!("10"));

    // A second call generates a new key; a given key is sent as is.
    let client = server.client();
    client.open_position(&open_request(), None).await.unwrap();
    client
        .open_position(&open_request(), Some("tg-42-msg-7"))
        .await
        .unwrap();
    let seen = server.requests();
    assert_ne!(seen[3].header("idempotency-key"), Some(keys[0]));
    assert_eq!(seen[4].header("idempotency-key"), Some("tg-42-msg-7"));
}

#[tokio::test]
async fn close_and_allocate_carry_keys_and_retry() {
    let server = TestServer::start(|seen, n| {
        if n % 2 == 0 {
            return Answer::error(503, "dependency_unavailable", "down");
        }
        if seen.path.ends_with("/close") {
            let mut closed = common::position("closed");
            closed["close_reason"] = json!("take_profit");
            Answer::ok(closed)
        } else {
            Answer::json(201, common::allocation(true))
        }
    })
    .await;
    let client = server.client();
    let id = Uuid::parse_str(POSITION_ID).unwrap();
    let closed = client
        .close_position(
            id,
            &ClosePositionRequest {
                telegram_id: 42,
                reason: CloseReason::TakeProfit,
            },
            Some("close-1"),
        )
        .await;
    let closed = closed.unwrap();
    assert_eq!(closed.close_reason, Some(CloseReason::TakeProfit));

    let req = CreateAllocationRequest {
        telegram_id: 42,
        leader_address: LeaderAddress::parse(LEADER).unwrap(),
        mode: SizingMode::Fixed,
        amount: Decimal::from(5),
        max_per_trade: None,
        slippage_bps: 200,
    };
    let alloc = client.create_allocation(&req, None).await.unwrap();
    assert!(alloc.active);

    let seen = server.requests();
    assert_eq!(seen.len(), 4);
    assert_eq!(
        seen[0].path,
        format!("/api/v1/positions/{POSITION_ID}/close")
    );
    assert_eq!(seen[1].header("idempotency-key"), Some("close-1"));
    assert_eq!(
        seen[1].json(),
        json!({"telegram_id": 42, "reason": "take_profit"})
    );
    assert_eq!(seen[2].path, "/api/v1/copy-trading/allocations");
    assert_eq!(
        seen[2].header("idempotency-key"),
        seen[3].header("idempotency-key")
    );
    assert!(
        seen.iter()
            .all(|s| s.method == "POST" && s.header("authorization") == Some(bearer().as_str()))
    );
}

#[tokio::test]
async fn upsert_user_is_retried_and_accepts_201_and_200() {
    let server = TestServer::start(|_, n| match n {
        0 => Answer::error(503, "dependency_unavailable", "down"),
        1 => Answer::json(201, common::user(5)),
        _ => Answer::ok(common::user(5)),
    })
    .await;
    let req = UpsertUser {
        telegram_id: 5,
        username: Some("alice".into()),
        first_name: None,
        wallet: None,
    };
    let client = server.client();
    assert_eq!(client.upsert_user(&req).await.unwrap().telegram_id, 5);
    assert_eq!(client.upsert_user(&req).await.unwrap().telegram_id, 5);
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].path, "/api/v1/users");
    assert_eq!(seen[0].json()["telegram_id"], json!(5));
    assert_eq!(seen[0].header("idempotency-key"), None);
}

#[tokio::test]
async fn rate_limits_honour_retry_after_for_idempotent_calls_only() {
    let server = TestServer::start(|seen, n| {
        if seen.path == "/webhooks/indexer" {
            return Answer::error(429, "rate_limited", "slow down").header("retry-after", "1");
        }
        if n == 0 {
            Answer::error(429, "rate_limited", "slow down").header("retry-after", "1")
        } else {
            Answer::ok(json!([]))
        }
    })
    .await;
    let client = server.client();
    let started = Instant::now();
    assert!(client.recommendations(Some(3)).await.unwrap().is_empty());
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(server.hits(), 2);

    let err = client.send_webhook("s", b"{}").await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.code(), Some("rate_limited"));
    assert_eq!(server.hits(), 3, "the webhook is not retried");
}

#[tokio::test]
async fn a_slow_answer_times_out_as_unavailable_and_only_idempotent_calls_retry() {
    let server = TestServer::start(|seen, n| {
        if seen.path == "/webhooks/indexer" || n == 0 {
            Answer::ok(json!([])).delayed(Duration::from_secs(2))
        } else {
            Answer::ok(json!([]))
        }
    })
    .await;
    let client = server.client_with(|c| c.timeout = Duration::from_millis(300));
    assert!(client.leaders().await.unwrap().is_empty());
    assert_eq!(server.hits(), 2, "the timed-out GET was retried");

    let err = client.send_webhook("s", b"[]").await.unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert_eq!(server.hits(), 3);
}

#[tokio::test]
async fn a_refused_connection_is_unavailable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut cfg = ClientConfig::new(format!("http://{addr}"), TOKEN);
    cfg.initial_backoff = Duration::from_millis(1);
    let client = ApiClient::new(cfg).unwrap();
    let err = client.get_user(1).await.unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
    assert!(client.live().await.unwrap_err().is_unavailable());
}

#[tokio::test]
async fn queries_paths_and_methods_match_the_contract() {
    let server = TestServer::start(|seen, _| match seen.path.as_str() {
        "/api/v1/markets" => {
            Answer::ok(json!({"markets": [common::market("m1")], "next_cursor": "c2"}))
        }
        p if p.starts_with("/api/v1/copy-trading/allocations/") => {
            Answer::ok(common::allocation(false))
        }
        p if p.starts_with("/api/v1/positions/") => Answer::ok(common::position("open")),
        _ => Answer::ok(json!([])),
    })
    .await;
    let client = server.client();

    let page = client
        .list_markets(&MarketQuery {
            search: Some("btc & eth".into()),
            active: Some(true),
            limit: Some(5),
            cursor: Some("c1".into()),
        })
        .await
        .unwrap();
    assert_eq!(page.markets[0].id, "m1");
    assert_eq!(page.next_cursor.as_deref(), Some("c2"));
    client.list_markets(&MarketQuery::default()).await.unwrap();
    client
        .positions(42, Some(PositionStatus::Open))
        .await
        .unwrap();
    client.positions(42, None).await.unwrap();
    client.allocations(42, Some(false)).await.unwrap();
    let stopped = client
        .stop_allocation(Uuid::parse_str(ALLOCATION_ID).unwrap(), 42)
        .await
        .unwrap();
    assert!(!stopped.active);
    let leader = LeaderAddress::parse(LEADER).unwrap();
    client.trades(Some(&leader), Some(20)).await.unwrap();
    client.trades(None, None).await.unwrap();
    client.recommendations(None).await.unwrap();
    let update = UpdateTpSlRequest {
        telegram_id: 42,
        take_profit: Some(None),
        stop_loss: Some(Some(Decimal::new(3, 1))),
    };
    client
        .update_tpsl(Uuid::parse_str(POSITION_ID).unwrap(), &update)
        .await
        .unwrap();
    let only_tp = UpdateTpSlRequest {
        telegram_id: 42,
        take_profit: Some(Some(Decimal::new(8, 1))),
        stop_loss: None,
    };
    client
        .update_tpsl(Uuid::parse_str(POSITION_ID).unwrap(), &only_tp)
        .await
        .unwrap();

    let seen: Vec<(String, String, Option<String>)> = server
        .requests()
        .into_iter()
        .map(|s| (s.method, s.path, s.query))
        .collect();
    let expect =
        |m: &str, p: &str, q: Option<&str>| (m.to_string(), p.to_string(), q.map(str::to_string));
    assert_eq!(
        seen,
        vec![
            expect(
                "GET",
                "/api/v1/markets",
                Some("search=btc+%26+eth&active=true&limit=5&cursor=c1")
            ),
            expect("GET", "/api/v1/markets", None),
            expect("GET", "/api/v1/users/42/positions", Some("status=open")),
            expect("GET", "/api/v1/users/42/positions", None),
            expect("GET", "/api/v1/users/42/allocations", Some("active=false")),
            expect(
                "DELETE",
                &format!("/api/v1/copy-trading/allocations/{ALLOCATION_ID}"),
                Some("telegram_id=42")
            ),
            expect(
                "GET",
                "/api/v1/trades",
                Some(&format!("leader={LEADER}&limit=20"))
            ),
            expect("GET", "/api/v1/trades", None),
            expect("GET", "/api/v1/smart-trading/recommendations", None),
            expect("PATCH", &format!("/api/v1/positions/{POSITION_ID}"), None),
            expect("PATCH", &format!("/api/v1/positions/{POSITION_ID}"), None),
        ]
    );
    let requests = server.requests();
    // `Some(None)` clears (null), `None` leaves alone (absent).
    assert_eq!(
        requests[9].json(),
        json!({"telegram_id": 42, "take_profit": null, "stop_loss": "0.3"})
    );
    assert_eq!(
        requests[10].json(),
        json!({"telegram_id": 42, "take_profit": "0.8"})
    );
    assert!(
        requests
            .iter()
            .all(|s| s.header("authorization") == Some(bearer().as_str()))
    );
}

#[tokio::test]
async fn a_success_body_that_is_not_the_type_is_a_decode_error() {
    let server = TestServer::start(|_, _| Answer::ok(json!({"unexpected": true}))).await;
    let err = server.client().get_user(1).await.unwrap_err();
    assert!(matches!(err, ApiError::Decode(_)), "{err:?}");
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn health_checks_need_no_token_and_report_unready() {
    let server = TestServer::start(|seen, _| match seen.path.as_str() {
        "/health/live" => Answer::ok(json!({"status": "healthy"})),
        _ => Answer::json(503, json!({"status": "unhealthy", "failed": ["redis"]})),
    })
    .await;
    let client = server.client();
    client.live().await.unwrap();
    let err = client.ready().await.unwrap_err();
    assert!(err.is_unavailable(), "{err:?}");
    assert!(err.to_string().contains("redis"), "{err}");
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "health checks are not retried");
    assert!(seen.iter().all(|s| s.header("authorization").is_none()));
}

fn envelope(id: &str, kind: &str) -> String {
    let position = common::position(if kind == "position_closed" {
        "closed"
    } else {
        "open"
    });
    json!({
        "id": id,
        "at": "2026-01-02T03:04:05Z",
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "event": {"type": kind, "position": position}
    })
    .to_string()
}

#[tokio::test]
async fn events_parse_sse_frames_and_skip_comments_and_keep_alives() {
    let first = envelope("1700000000000-0", "position_opened");
    let second = envelope("1700000000001-0", "position_closed");
    let frame1 = format!("id: 1700000000000-0\nevent: position_opened\ndata: {first}\n\n");
    let frame2 = format!("id: 1700000000001-0\r\nevent: position_closed\r\ndata: {second}\r\n\r\n");
    let (a, b) = frame1.split_at(frame1.len() / 2);
    let chunks: Vec<String> = vec![
        ": connected\n\n".into(),
        a.into(),
        b.into(),
        ":keep-alive\n\n".into(),
        "retry: 1000\n\n".into(),
        "event: ping\ndata:\n\n".into(),
        frame2,
    ];
    let chunks: &'static [String] = Box::leak(chunks.into_boxed_slice());
    let server = TestServer::start(move |seen, _| {
        if seen.header("last-event-id") == Some("bad") {
            return Answer::error(400, "validation_error", "bad Last-Event-ID");
        }
        Answer::sse(
            chunks
                .iter()
                .map(|c| (Duration::from_millis(20), c.as_str()))
                .collect(),
        )
    })
    .await;
    // A timeout shorter than the whole stream: only connecting is limited.
    let client = server.client_with(|c| c.timeout = Duration::from_millis(100));
    let stream = client.events(Some("1699999999999-0")).await.unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    let one = items[0].as_ref().unwrap();
    assert_eq!(one.id, "1700000000000-0");
    assert_eq!(one.event.kind(), "position_opened");
    assert!(one.traceparent.is_some());
    let two = items[1].as_ref().unwrap();
    assert_eq!(two.id, "1700000000001-0");
    assert!(
        matches!(&two.event, Event::PositionClosed { position } if position.status == PositionStatus::Closed)
    );

    let seen = server.requests();
    assert_eq!(seen[0].path, "/api/v1/events");
    assert_eq!(seen[0].header("last-event-id"), Some("1699999999999-0"));
    assert_eq!(seen[0].header("accept"), Some("text/event-stream"));
    assert_eq!(seen[0].header("authorization"), Some(bearer().as_str()));

    // An error before the stream starts keeps the API's code.
    let err = client.events(Some("bad")).await.err().unwrap();
    assert_eq!(err.code(), Some("validation_error"));
}

#[tokio::test]
async fn a_malformed_event_is_a_decode_item_and_the_stream_goes_on() {
    let good = envelope("2-0", "position_opened");
    let body: &'static str = Box::leak(
        format!("id: 1-0\nevent: x\ndata: {{not json\n\nid: 2-0\ndata: {good}\n\n")
            .into_boxed_str(),
    );
    let server = TestServer::start(move |_, _| Answer::sse(vec![(Duration::ZERO, body)])).await;
    let items: Vec<_> = server.client().events(None).await.unwrap().collect().await;
    assert_eq!(items.len(), 2);
    assert!(
        matches!(items[0], Err(ApiError::Decode(_))),
        "{:?}",
        items[0]
    );
    assert_eq!(items[1].as_ref().unwrap().id, "2-0");
    assert_eq!(server.requests()[0].header("last-event-id"), None);
}

#[tokio::test]
async fn the_event_stream_connection_is_retried_on_503() {
    let body: &'static str =
        Box::leak(format!("data: {}\n\n", envelope("3-0", "tp_sl_hit")).into_boxed_str());
    let server = TestServer::start(move |_, n| {
        if n == 0 {
            Answer::error(503, "dependency_unavailable", "redis")
        } else {
            Answer::sse(vec![(Duration::ZERO, body)])
        }
    })
    .await;
    let items: Vec<_> = server.client().events(None).await.unwrap().collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap().event.kind(), "tp_sl_hit");
    assert_eq!(server.hits(), 2);
}

#[test]
fn the_debug_output_never_shows_the_token() {
    let cfg = ClientConfig::new("http://localhost:8000", TOKEN);
    assert!(!format!("{cfg:?}").contains(TOKEN));
    let client = ApiClient::new(cfg).unwrap();
    assert!(!format!("{client:?}").contains(TOKEN));
}

#[tokio::test]
async fn calls_and_the_event_stream_can_move_to_other_tasks() {
    fn assert_send<T: Send + 'static>(value: T) -> T {
        value
    }
    let body: &'static str =
        Box::leak(format!("data: {}\n\n", envelope("4-0", "position_opened")).into_boxed_str());
    let server = TestServer::start(move |seen, _| match seen.path.as_str() {
        "/api/v1/events" => Answer::sse(vec![(Duration::ZERO, body)]),
        _ => Answer::ok(common::user(42)),
    })
    .await;
    let client = server.client();
    let user = {
        let client = client.clone();
        tokio::spawn(async move { client.get_user(42).await })
    };
    assert_eq!(user.await.unwrap().unwrap().telegram_id, 42);
    let stream = assert_send(client.events(None).await.unwrap());
    let items = tokio::spawn(stream.collect::<Vec<_>>()).await.unwrap();
    assert_eq!(items.len(), 1);

    // Every method's future is Send, as bot handlers and worker tasks require.
    let id = Uuid::nil();
    drop(assert_send({
        let c = client.clone();
        async move {
            let leader = LeaderAddress::parse(LEADER).unwrap();
            let _ = c.live().await;
            let _ = c.ready().await;
            let _ = c.list_markets(&MarketQuery::default()).await;
            let _ = c.get_market("m").await;
            let _ = c.positions(1, None).await;
            let _ = c.open_position(&open_request(), None).await;
            let _ = c.update_tpsl(id, &UpdateTpSlRequest::default()).await;
            let _ = c
                .close_position(
                    id,
                    &ClosePositionRequest {
                        telegram_id: 1,
                        reason: CloseReason::Manual,
                    },
                    None,
                )
                .await;
            let _ = c.leaders().await;
            let _ = c.allocations(1, None).await;
            let _ = c.stop_allocation(id, 1).await;
            let _ = c.recommendations(None).await;
            let _ = c.trades(Some(&leader), None).await;
            let _ = c.watched_addresses().await;
            let _ = c.events(None).await;
            let _ = c.send_webhook("s", b"{}").await;
        }
    }));
}
