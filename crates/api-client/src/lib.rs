//! The typed HTTP client of the TradingStack API, used by the bot and the workers.
//!
//! * every `/api/v1` call carries `Authorization: Bearer <token>`;
//! * every request carries the W3C `traceparent` of its own client span
//!   (`ts_telemetry::inject_headers`), so the api's spans join the caller's trace;
//! * every attempt has a time limit (`ClientConfig::timeout`), except the body of the
//!   long-lived event stream, which only has the connect timeout;
//! * idempotent calls (GET, PATCH, DELETE, the upsert of a user, and the POSTs that carry
//!   an `Idempotency-Key`) are retried with exponential backoff and jitter after a
//!   connect error, a timeout, 429 (honouring `Retry-After`) or 502/503/504; nothing
//!   else is retried, and no other 4xx ever is;
//! * errors keep the API's own `code` and `message` ([`ApiError::Api`]); an unreachable
//!   or overloaded API is [`ApiError::Unavailable`].
//!
//! The token is never logged: it is only in a header marked sensitive, and
//! [`ClientConfig`]'s `Debug` redacts it.

mod config;
mod error;
mod webhook;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use eventsource_stream::{EventStreamError, Eventsource};
use futures::{Stream, StreamExt};
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use rand::Rng;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;
use uuid::Uuid;

use ts_core::LeaderAddress;
use ts_core::copy::{
    Allocation, CreateAllocationRequest, IncomingTrade, Leader, LeaderTrade, WatchedAddress,
    WebhookReceipt,
};
use ts_core::event::EventEnvelope;
use ts_core::market::{Market, MarketPage, Recommendation};
use ts_core::position::{
    ClosePositionRequest, OpenPositionRequest, Position, PositionStatus, UpdateTpSlRequest,
};
use ts_core::user::{UpsertUser, User};

pub use config::ClientConfig;
pub use error::ApiError;
pub use webhook::sign_webhook;

/// Header naming a write that a retry may repeat.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Header carrying the HMAC of an indexer webhook body.
pub const X_SIGNATURE: HeaderName = HeaderName::from_static("x-signature");
/// Header resuming the event stream after the given id.
pub const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// Longest single backoff between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A `Retry-After` longer than this is not waited for: the error is returned instead.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
const USER_AGENT: &str = concat!("tradingstack-api-client/", env!("CARGO_PKG_VERSION"));

/// Query of `GET /api/v1/markets`; `None` fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarketQuery {
    pub search: Option<String>,
    pub active: Option<bool>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The API client: cheap to clone (one connection pool shared by the clones).
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    /// `Bearer <token>`, marked sensitive; `None` when the token is empty.
    auth: Option<HeaderValue>,
    timeout: Duration,
    max_retries: u32,
    initial_backoff: Duration,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("base_url", &self.inner.base.as_str())
            .field("timeout", &self.inner.timeout)
            .field("max_retries", &self.inner.max_retries)
            .finish_non_exhaustive()
    }
}

/// One logical call, possibly sent several times.
struct Call {
    method: Method,
    /// Route template, e.g. `/api/v1/users/{telegram_id}`: the span name.
    route: &'static str,
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    bearer: bool,
    retry: bool,
    /// Return the response with its body unread and without a total time limit.
    streaming: bool,
}

enum Reply {
    Buffered(Bytes),
    Streaming(reqwest::Response),
}

struct Failure {
    error: ApiError,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn fatal(error: ApiError) -> Self {
        Self {
            error,
            retryable: false,
            retry_after: None,
        }
    }

    fn transport(err: &reqwest::Error) -> Self {
        if err.is_builder() {
            return Self::fatal(ApiError::Decode(format!(
                "could not build the request: {err}"
            )));
        }
        Self {
            error: ApiError::transport(err),
            retryable: true,
            retry_after: None,
        }
    }
}

impl ApiClient {
    /// A client for the API at `cfg.base_url`. Fails on a base URL that is not http(s)
    /// or a token that cannot be sent in a header (both as [`ApiError::Decode`]).
    pub fn new(cfg: ClientConfig) -> Result<Self, ApiError> {
        let base = Url::parse(cfg.base_url.trim())
            .map_err(|e| ApiError::Decode(format!("invalid base_url '{}': {e}", cfg.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ApiError::Decode(format!(
                "invalid base_url '{}': must be an http(s) URL",
                cfg.base_url
            )));
        }
        let auth = if cfg.token.is_empty() {
            None
        } else {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", cfg.token)).map_err(|_| {
                    ApiError::Decode(
                        "the API token contains characters not allowed in a header".into(),
                    )
                })?;
            value.set_sensitive(true);
            Some(value)
        };
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(cfg.timeout)
            .tcp_keepalive(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Decode(format!("could not build the HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                timeout: cfg.timeout,
                max_retries: cfg.max_retries,
                initial_backoff: cfg.initial_backoff,
            }),
        })
    }

    /// The base URL the client talks to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    // ---- health ------------------------------------------------------------------

    /// `GET /health/live`. Health checks answer the state of now: they are not retried.
    pub async fn live(&self) -> Result<(), ApiError> {
        self.health("/health/live", "live").await
    }

    /// `GET /health/ready`: `Unavailable` (with the API's reason) while a dependency is down.
    pub async fn ready(&self) -> Result<(), ApiError> {
        self.health("/health/ready", "ready").await
    }

    async fn health(&self, route: &'static str, leaf: &str) -> Result<(), ApiError> {
        let call = Call {
            bearer: false,
            retry: false,
            ..self.call(Method::GET, route, self.url(&["health", leaf]))
        };
        self.execute(call).await.map(drop)
    }

    // ---- users -------------------------------------------------------------------

    /// `POST /api/v1/users`: create or update by `telegram_id` (idempotent, so retried).
    pub async fn upsert_user(&self, req: &UpsertUser) -> Result<User, ApiError> {
        let call = self
            .call(Method::POST, "/api/v1/users", self.api_url(&["users"]))
            .json(req)?
            // An upsert by telegram_id: repeating it changes nothing.
            .idempotent();
        self.fetch(call).await
    }

    /// `GET /api/v1/users/{telegram_id}` (404 `not_found`).
    pub async fn get_user(&self, telegram_id: i64) -> Result<User, ApiError> {
        let id = telegram_id.to_string();
        self.fetch(self.call(
            Method::GET,
            "/api/v1/users/{telegram_id}",
            self.api_url(&["users", &id]),
        ))
        .await
    }

    // ---- markets -----------------------------------------------------------------

    /// `GET /api/v1/markets?search=&active=&limit=&cursor=`.
    pub async fn list_markets(&self, q: &MarketQuery) -> Result<MarketPage, ApiError> {
        let mut url = self.api_url(&["markets"]);
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(search) = &q.search {
                pairs.append_pair("search", search);
            }
            if let Some(active) = q.active {
                pairs.append_pair("active", if active { "true" } else { "false" });
            }
            if let Some(limit) = q.limit {
                pairs.append_pair("limit", &limit.to_string());
            }
            if let Some(cursor) = &q.cursor {
                pairs.append_pair("cursor", cursor);
            }
        }
        clear_empty_query(&mut url);
        self.fetch(self.call(Method::GET, "/api/v1/markets", url))
            .await
    }

    /// `GET /api/v1/markets/{id}`: outcomes carry live prices.
    pub async fn get_market(&self, id: &str) -> Result<Market, ApiError> {
        self.fetch(self.call(
            Method::GET,
            "/api/v1/markets/{id}",
            self.api_url(&["markets", id]),
        ))
        .await
    }

    /// `GET /api/v1/smart-trading/recommendations?limit=`.
    pub async fn recommendations(
        &self,
        limit: Option<u32>,
    ) -> Result<Vec<Recommendation>, ApiError> {
        let mut url = self.api_url(&["smart-trading", "recommendations"]);
        if let Some(limit) = limit {
            url.query_pairs_mut()
                .append_pair("limit", &limit.to_string());
        }
        self.fetch(self.call(Method::GET, "/api/v1/smart-trading/recommendations", url))
            .await
    }

    // ---- positions ---------------------------------------------------------------

    /// `GET /api/v1/users/{telegram_id}/positions?status=`: open ones carry
    /// `current_price` and `unrealized_pnl`.
    pub async fn positions(
        &self,
        telegram_id: i64,
        status: Option<PositionStatus>,
    ) -> Result<Vec<Position>, ApiError> {
        let id = telegram_id.to_string();
        let mut url = self.api_url(&["users", &id, "positions"]);
        if let Some(status) = status {
            url.query_pairs_mut().append_pair("status", status.as_str());
        }
        self.fetch(self.call(Method::GET, "/api/v1/users/{telegram_id}/positions", url))
            .await
    }

    /// `POST /api/v1/positions` with an `Idempotency-Key` (a fresh UUID when `None`), so
    /// that retries never open the position twice.
    pub async fn open_position(
        &self,
        req: &OpenPositionRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Position, ApiError> {
        let call = self
            .call(
                Method::POST,
                "/api/v1/positions",
                self.api_url(&["positions"]),
            )
            .json(req)?
            .idempotency_key(idempotency_key)?;
        self.fetch(call).await
    }

    /// `PATCH /api/v1/positions/{id}`: set or clear TP/SL.
    pub async fn update_tpsl(
        &self,
        id: Uuid,
        req: &UpdateTpSlRequest,
    ) -> Result<Position, ApiError> {
        let id = id.to_string();
        let call = self
            .call(
                Method::PATCH,
                "/api/v1/positions/{id}",
                self.api_url(&["positions", &id]),
            )
            .json(req)?;
        self.fetch(call).await
    }

    /// `POST /api/v1/positions/{id}/close` with an `Idempotency-Key` (a fresh UUID when
    /// `None`); 409 `position_closed` when another request closed it first.
    pub async fn close_position(
        &self,
        id: Uuid,
        req: &ClosePositionRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Position, ApiError> {
        let id = id.to_string();
        let url = self.api_url(&["positions", &id, "close"]);
        let call = self
            .call(Method::POST, "/api/v1/positions/{id}/close", url)
            .json(req)?
            .idempotency_key(idempotency_key)?;
        self.fetch(call).await
    }

    // ---- copy trading ------------------------------------------------------------

    /// `GET /api/v1/copy-trading/leaders`.
    pub async fn leaders(&self) -> Result<Vec<Leader>, ApiError> {
        let url = self.api_url(&["copy-trading", "leaders"]);
        self.fetch(self.call(Method::GET, "/api/v1/copy-trading/leaders", url))
            .await
    }

    /// `POST /api/v1/copy-trading/allocations` with an `Idempotency-Key` (a fresh UUID
    /// when `None`).
    pub async fn create_allocation(
        &self,
        req: &CreateAllocationRequest,
        idempotency_key: Option<&str>,
    ) -> Result<Allocation, ApiError> {
        let url = self.api_url(&["copy-trading", "allocations"]);
        let call = self
            .call(Method::POST, "/api/v1/copy-trading/allocations", url)
            .json(req)?
            .idempotency_key(idempotency_key)?;
        self.fetch(call).await
    }

    /// `GET /api/v1/users/{telegram_id}/allocations?active=`.
    pub async fn allocations(
        &self,
        telegram_id: i64,
        active: Option<bool>,
    ) -> Result<Vec<Allocation>, ApiError> {
        let id = telegram_id.to_string();
        let mut url = self.api_url(&["users", &id, "allocations"]);
        if let Some(active) = active {
            url.query_pairs_mut()
                .append_pair("active", if active { "true" } else { "false" });
        }
        self.fetch(self.call(Method::GET, "/api/v1/users/{telegram_id}/allocations", url))
            .await
    }

    /// `DELETE /api/v1/copy-trading/allocations/{id}?telegram_id=`: the allocation, now inactive.
    pub async fn stop_allocation(
        &self,
        id: Uuid,
        telegram_id: i64,
    ) -> Result<Allocation, ApiError> {
        let id = id.to_string();
        let mut url = self.api_url(&["copy-trading", "allocations", &id]);
        url.query_pairs_mut()
            .append_pair("telegram_id", &telegram_id.to_string());
        self.fetch(self.call(Method::DELETE, "/api/v1/copy-trading/allocations/{id}", url))
            .await
    }

    /// `GET /api/v1/trades?leader=&limit=`: stored leader trades.
    pub async fn trades(
        &self,
        leader: Option<&LeaderAddress>,
        limit: Option<u32>,
    ) -> Result<Vec<LeaderTrade>, ApiError> {
        let mut url = self.api_url(&["trades"]);
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(leader) = leader {
                pairs.append_pair("leader", leader.as_str());
            }
            if let Some(limit) = limit {
                pairs.append_pair("limit", &limit.to_string());
            }
        }
        clear_empty_query(&mut url);
        self.fetch(self.call(Method::GET, "/api/v1/trades", url))
            .await
    }

    /// `POST /api/v1/trades`: leader trades found by the workers' Data API poll, through
    /// the webhook's ingest path. Stored once per (transaction hash, asset), so retried.
    pub async fn ingest_trades(
        &self,
        trades: &[IncomingTrade],
    ) -> Result<WebhookReceipt, ApiError> {
        let call = self
            .call(Method::POST, "/api/v1/trades", self.api_url(&["trades"]))
            .json(&serde_json::json!({ "trades": trades }))?
            // Ingestion de-duplicates on (transaction hash, asset): a repeat stores nothing.
            .idempotent();
        self.fetch(call).await
    }

    /// `GET /api/v1/watched-addresses`: leader addresses the workers must follow.
    pub async fn watched_addresses(&self) -> Result<Vec<WatchedAddress>, ApiError> {
        let url = self.api_url(&["watched-addresses"]);
        self.fetch(self.call(Method::GET, "/api/v1/watched-addresses", url))
            .await
    }

    // ---- events ------------------------------------------------------------------

    /// `GET /api/v1/events`: the notifications as a stream, resumed after
    /// `last_event_id` when given. Connecting is retried like any GET; once connected
    /// there is no time limit, comments and keep-alives are skipped, and the stream ends
    /// when the server drops the connection (after an `Unavailable` item if it broke).
    /// A message that is not an [`EventEnvelope`] is a `Decode` item and the stream goes on.
    pub async fn events(
        &self,
        last_event_id: Option<&str>,
    ) -> Result<impl Stream<Item = Result<EventEnvelope, ApiError>> + Send + 'static, ApiError>
    {
        let mut call = Call {
            streaming: true,
            ..self.call(Method::GET, "/api/v1/events", self.api_url(&["events"]))
        };
        call.headers
            .insert(ACCEPT, HeaderValue::from_static("text/event-stream"));
        if let Some(id) = last_event_id {
            let value = HeaderValue::from_str(id)
                .map_err(|_| ApiError::Decode(format!("invalid Last-Event-ID '{id}'")))?;
            call.headers.insert(LAST_EVENT_ID, value);
        }
        let response = match self.execute(call).await? {
            Reply::Streaming(response) => response,
            Reply::Buffered(_) => unreachable!("a streaming call returns the response unread"),
        };
        Ok(response
            .bytes_stream()
            .eventsource()
            .filter_map(|item| async move {
                match item {
                    // Comments and keep-alives never become events; an empty message is skipped too.
                    Ok(event) if event.data.trim().is_empty() => None,
                    Ok(event) => Some(
                        serde_json::from_str::<EventEnvelope>(&event.data)
                            .map(|mut envelope| {
                                if envelope.id.is_empty() {
                                    envelope.id = event.id.clone();
                                }
                                envelope
                            })
                            .map_err(|e| {
                                ApiError::Decode(format!(
                                    "event id '{}' type '{}': {e}",
                                    event.id, event.event
                                ))
                            }),
                    ),
                    Err(EventStreamError::Transport(e)) => Some(Err(ApiError::transport(&e))),
                    Err(e) => Some(Err(ApiError::Decode(format!("event stream: {e}")))),
                }
            }))
    }

    // ---- webhook -----------------------------------------------------------------

    /// `POST /webhooks/indexer` with `X-Signature: sha256=<hex HMAC-SHA256 of body>`
    /// (no bearer). Sent once: it is never retried.
    pub async fn send_webhook(
        &self,
        secret: &str,
        body: &[u8],
    ) -> Result<WebhookReceipt, ApiError> {
        let signature = HeaderValue::from_str(&sign_webhook(secret, body))
            .map_err(|e| ApiError::Decode(format!("signature header: {e}")))?;
        let mut call = Call {
            bearer: false,
            retry: false,
            body: Some(Bytes::copy_from_slice(body)),
            ..self.call(
                Method::POST,
                "/webhooks/indexer",
                self.url(&["webhooks", "indexer"]),
            )
        };
        call.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        call.headers.insert(X_SIGNATURE, signature);
        self.fetch(call).await
    }

    // ---- plumbing ----------------------------------------------------------------

    /// The base URL with `segments` appended, each percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .expect("checked in new: the base URL can be a base")
            .pop_if_empty()
            .extend(segments);
        url
    }

    fn api_url(&self, segments: &[&str]) -> Url {
        let mut all = Vec::with_capacity(segments.len() + 2);
        all.extend_from_slice(&["api", "v1"]);
        all.extend_from_slice(segments);
        self.url(&all)
    }

    /// An authenticated call, retried when its method is idempotent.
    fn call(&self, method: Method, route: &'static str, url: Url) -> Call {
        let retry = matches!(
            method,
            Method::GET | Method::PATCH | Method::DELETE | Method::PUT
        );
        Call {
            method,
            route,
            url,
            headers: HeaderMap::new(),
            body: None,
            bearer: true,
            retry,
            streaming: false,
        }
    }

    async fn fetch<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        let route = call.route;
        match self.execute(call).await? {
            Reply::Buffered(body) => serde_json::from_slice(&body).map_err(|e| {
                ApiError::Decode(format!(
                    "{route}: {e} (body: {})",
                    error::truncate(&String::from_utf8_lossy(&body), 200)
                ))
            }),
            Reply::Streaming(_) => unreachable!("a buffered call reads the body"),
        }
    }

    /// Sends `call` inside its own client span, retrying as the call allows.
    async fn execute(&self, call: Call) -> Result<Reply, ApiError> {
        let span = tracing::info_span!(
            "api_client.request",
            otel.name = %format_args!("{} {}", call.method, call.route),
            otel.kind = "client",
            http.request.method = %call.method,
            http.route = call.route,
            url.path = call.url.path(),
            server.address = call.url.host_str().unwrap_or_default(),
            http.response.status_code = tracing::field::Empty,
            http.request.resend_count = tracing::field::Empty,
            "error.type" = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
        );
        self.execute_with_retries(&call).instrument(span).await
    }

    async fn execute_with_retries(&self, call: &Call) -> Result<Reply, ApiError> {
        let max_attempts = if call.retry {
            self.inner.max_retries.saturating_add(1)
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let failure = match self.attempt(call).await {
                Ok(reply) => return Ok(reply),
                Err(failure) => failure,
            };
            let delay = match failure.retry_after {
                Some(wait) if wait > MAX_RETRY_AFTER => None,
                Some(wait) => Some(wait),
                None => Some(self.backoff(attempt)),
            };
            match delay {
                Some(delay) if failure.retryable && attempt < max_attempts => {
                    tracing::warn!(
                        attempt,
                        max_attempts,
                        delay_ms = delay.as_millis() as u64,
                        error = %failure.error,
                        "API call failed, retrying"
                    );
                    tokio::time::sleep(delay).await;
                    tracing::Span::current().record("http.request.resend_count", attempt);
                    attempt += 1;
                }
                _ => {
                    let kind = match &failure.error {
                        ApiError::Api { code, .. } => code.clone(),
                        ApiError::Unavailable(_) => "unavailable".to_string(),
                        ApiError::Decode(_) => "decode".to_string(),
                    };
                    let span = tracing::Span::current();
                    span.record("error.type", kind.as_str());
                    span.record("otel.status_code", "ERROR");
                    tracing::debug!(attempt, error = %failure.error, "API call failed");
                    return Err(failure.error);
                }
            }
        }
    }

    /// One attempt: headers (bearer, traceparent of the current span), send, status.
    async fn attempt(&self, call: &Call) -> Result<Reply, Failure> {
        let mut headers = call.headers.clone();
        if call.bearer
            && let Some(auth) = &self.inner.auth
        {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        ts_telemetry::inject_headers(&mut headers);

        let mut request = self
            .inner
            .http
            .request(call.method.clone(), call.url.clone())
            .headers(headers);
        if let Some(body) = &call.body {
            request = request.body(body.clone());
        }
        if !call.streaming {
            request = request.timeout(self.inner.timeout);
        }
        let response = request.send().await.map_err(|e| Failure::transport(&e))?;
        let status = response.status();
        tracing::Span::current().record("http.response.status_code", status.as_u16());

        if status.is_success() {
            if call.streaming {
                return Ok(Reply::Streaming(response));
            }
            let body = response.bytes().await.map_err(|e| Failure::transport(&e))?;
            return Ok(Reply::Buffered(body));
        }

        let retry_after = retry_after(response.headers());
        let body = match tokio::time::timeout(self.inner.timeout, response.bytes()).await {
            Ok(Ok(body)) => body,
            // The status is what matters; an unreadable error body just says less.
            Ok(Err(_)) | Err(_) => Bytes::new(),
        };
        let api_error = ApiError::from_response(status.as_u16(), &body);
        Err(match status {
            StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => {
                let detail = match &api_error {
                    ApiError::Api { code, message, .. } => format!("{code}: {message}"),
                    other => other.to_string(),
                };
                Failure {
                    error: ApiError::Unavailable(format!(
                        "{} answered {status} ({detail})",
                        call.route
                    )),
                    retryable: true,
                    retry_after,
                }
            }
            StatusCode::TOO_MANY_REQUESTS => Failure {
                error: api_error,
                retryable: true,
                retry_after,
            },
            _ => Failure::fatal(api_error),
        })
    }

    /// Exponential backoff with "equal jitter": half the step fixed, half random.
    fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .inner
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(MAX_BACKOFF);
        let half = step / 2;
        let jitter_ms = rand::rng().random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter_ms)
    }
}

impl Call {
    fn json<B: Serialize>(mut self, body: &B) -> Result<Self, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            ApiError::Decode(format!("{}: could not encode the body: {e}", self.route))
        })?;
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.body = Some(Bytes::from(bytes));
        Ok(self)
    }

    /// Marks a POST whose repetition the API treats as one write.
    fn idempotent(mut self) -> Self {
        self.retry = true;
        self
    }

    /// Sets the `Idempotency-Key` (a fresh UUID when `None`): the same on every retry,
    /// which makes the write safe to retry.
    fn idempotency_key(mut self, key: Option<&str>) -> Result<Self, ApiError> {
        let key = key.map_or_else(|| Uuid::new_v4().to_string(), str::to_string);
        let value = HeaderValue::from_str(&key)
            .map_err(|_| ApiError::Decode(format!("invalid Idempotency-Key '{key}'")))?;
        self.headers.insert(IDEMPOTENCY_KEY, value);
        Ok(self.idempotent())
    }
}

/// `Retry-After` in seconds (the HTTP-date form is ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// `query_pairs_mut` leaves a bare `?` when nothing was appended.
fn clear_empty_query(url: &mut Url) {
    if url.query() == Some("") {
        url.set_query(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> ApiClient {
        ApiClient::new(ClientConfig::new(base, "t")).unwrap()
    }

    #[test]
    fn urls_keep_a_prefix_and_encode_segments() {
        let c = client("http://localhost:8000");
        assert_eq!(
            c.api_url(&["markets", "a/b c"]).as_str(),
            "http://localhost:8000/api/v1/markets/a%2Fb%20c"
        );
        let c = client("http://example.test/prefix/");
        assert_eq!(
            c.url(&["health", "live"]).as_str(),
            "http://example.test/prefix/health/live"
        );
    }

    #[test]
    fn rejects_bad_configuration() {
        assert!(matches!(
            ApiClient::new(ClientConfig::new("not a url", "t")),
            Err(ApiError::Decode(_))
        ));
        assert!(matches!(
            ApiClient::new(ClientConfig::new("ftp://x", "t")),
            Err(ApiError::Decode(_))
        ));
        let err = ApiClient::new(ClientConfig::new("http://x", "bad\ntoken")).unwrap_err();
        assert!(!err.to_string().contains("bad\ntoken"));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let c = client("http://x");
        for attempt in 1..=3 {
            let step = Duration::from_millis(100 * 2u64.pow(attempt - 1));
            let d = c.backoff(attempt);
            assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
        }
        assert!(c.backoff(40) <= MAX_BACKOFF);
    }

    #[test]
    fn retry_after_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn only_idempotent_calls_retry() {
        let c = client("http://x");
        assert!(
            c.call(Method::GET, "/api/v1/trades", c.api_url(&["trades"]))
                .retry
        );
        assert!(c.call(Method::DELETE, "/api/v1/x", c.api_url(&["x"])).retry);
        let post = c.call(Method::POST, "/api/v1/positions", c.api_url(&["positions"]));
        assert!(!post.retry);
        assert!(post.idempotency_key(None).unwrap().retry);
    }
}
