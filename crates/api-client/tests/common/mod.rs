//! A small scripted HTTP server for the client tests: it records every request and
//! answers with whatever the test's responder returns for it.
#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_client::{ApiClient, ClientConfig};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const TOKEN: &str = "test-token-do-not-log";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Raw (still percent-encoded) path.
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What the server answers.
pub struct Answer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: AnswerBody,
    delay: Option<Duration>,
}

enum AnswerBody {
    Bytes(Vec<u8>),
    Chunks(Vec<(Duration, String)>),
}

impl Answer {
    pub fn json(status: u16, value: Value) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap(),
            headers: vec![(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body: AnswerBody::Bytes(serde_json::to_vec(&value).unwrap()),
            delay: None,
        }
    }

    pub fn ok(value: Value) -> Self {
        Self::json(200, value)
    }

    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(status, json!({"error": {"code": code, "message": message}}))
    }

    pub fn text(status: u16, text: &str) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap(),
            headers: vec![(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain"),
            )],
            body: AnswerBody::Bytes(text.as_bytes().to_vec()),
            delay: None,
        }
    }

    /// A text/event-stream body sent in chunks, each after its pause.
    pub fn sse(chunks: Vec<(Duration, &str)>) -> Self {
        Self {
            status: StatusCode::OK,
            headers: vec![(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            )],
            body: AnswerBody::Chunks(
                chunks
                    .into_iter()
                    .map(|(d, s)| (d, s.to_string()))
                    .collect(),
            ),
            delay: None,
        }
    }

    pub fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
        self
    }

    /// Answers only after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

type Responder = dyn Fn(&Seen, usize) -> Answer + Send + Sync;

#[derive(Clone)]
struct ServerState {
    seen: Arc<Mutex<Vec<Seen>>>,
    responder: Arc<Responder>,
}

pub struct TestServer {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    /// Starts a server on 127.0.0.1; `responder` gets each request and how many came
    /// before it (0 for the first).
    pub async fn start(responder: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let state = ServerState {
            seen: seen.clone(),
            responder: Arc::new(responder),
        };
        let app = axum::Router::new().fallback(handle).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base_url: format!("http://{addr}"),
            seen,
        }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn hits(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// A client with fast backoff for tests.
    pub fn client(&self) -> ApiClient {
        self.client_with(|_| {})
    }

    pub fn client_with(&self, tweak: impl FnOnce(&mut ClientConfig)) -> ApiClient {
        let mut cfg = ClientConfig::new(self.base_url.clone(), TOKEN);
        cfg.initial_backoff = Duration::from_millis(5);
        tweak(&mut cfg);
        ApiClient::new(cfg).unwrap()
    }
}

async fn handle(State(state): State<ServerState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
    };
    let index = {
        let mut all = state.seen.lock().unwrap();
        all.push(seen.clone());
        all.len() - 1
    };
    let answer = (state.responder)(&seen, index);
    if let Some(delay) = answer.delay {
        tokio::time::sleep(delay).await;
    }
    let body = match answer.body {
        AnswerBody::Bytes(bytes) => Body::from(bytes),
        AnswerBody::Chunks(chunks) => Body::from_stream(futures::stream::unfold(
            chunks.into_iter(),
            |mut rest| async move {
                let (pause, chunk) = rest.next()?;
                tokio::time::sleep(pause).await;
                Some((Ok::<_, Infallible>(chunk), rest))
            },
        )),
    };
    let mut response = (answer.status, body).into_response();
    for (name, value) in answer.headers {
        response.headers_mut().insert(name, value);
    }
    response
}

// ---- fixtures ----------------------------------------------------------------------

pub const POSITION_ID: &str = "7f1c2a52-8f0e-4a1e-9d7a-2f4f6b1f0a11";
pub const ALLOCATION_ID: &str = "0b7e9e0e-4d52-4c3c-8d8e-6a3f1b2c3d4e";
pub const LEADER: &str = "0xabcdef0123456789abcdef0123456789abcdef01";

pub fn user(telegram_id: i64) -> Value {
    json!({
        "telegram_id": telegram_id,
        "username": "alice",
        "first_name": "Alice",
        "wallet_address": null,
        "has_wallet_secret": false,
        "created_at": "2026-01-02T03:04:05Z"
    })
}

pub fn market(id: &str) -> Value {
    json!({
        "id": id,
        "question": "Will it rain?",
        "slug": "will-it-rain",
        "condition_id": "0xc0",
        "active": true,
        "closed": false,
        "volume": "1000",
        "liquidity": "500",
        "end_date": null,
        "outcomes": [
            {"name": "Yes", "token_id": "111", "price": "0.55"},
            {"name": "No", "token_id": "222", "price": "0.45"}
        ],
        "updated_at": "2026-01-02T03:04:05Z"
    })
}

pub fn position(status: &str) -> Value {
    json!({
        "id": POSITION_ID,
        "telegram_id": 42,
        "market_id": "m1",
        "market_question": "Will it rain?",
        "outcome": "Yes",
        "token_id": "111",
        "amount": "10",
        "size": "20",
        "entry_price": "0.5",
        "exit_price": null,
        "take_profit": "0.7",
        "stop_loss": null,
        "status": status,
        "source": "manual",
        "close_reason": null,
        "realized_pnl": null,
        "current_price": "0.55",
        "unrealized_pnl": "1",
        "allocation_id": null,
        "leader_trade_id": null,
        "opened_at": "2026-01-02T03:04:05Z",
        "closed_at": null
    })
}

pub fn allocation(active: bool) -> Value {
    json!({
        "id": ALLOCATION_ID,
        "telegram_id": 42,
        "leader_address": LEADER,
        "mode": "fixed",
        "amount": "5",
        "max_per_trade": null,
        "slippage_bps": 200,
        "active": active,
        "created_at": "2026-01-02T03:04:05Z",
        "stopped_at": null
    })
}
