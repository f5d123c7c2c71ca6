//! A fake of Polymarket for tests and the local stack: Gamma (`/markets/keyset`,
//! `/markets`), CLOB REST (`/price`, `/midpoint`, `/book`), the CLOB market WebSocket
//! (`/ws/market`) and the Data API (`/activity`) on one local port, in the formats of
//! shared/reference/polymarket.md, scriptable from the test: set markets, push price
//! changes over the socket, drop every socket, add a leader's trade, fail Gamma calls.

mod clob;
mod data;
mod gamma;
mod market;
mod state;
mod ws;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use ts_core::copy::IncomingTrade;

pub use market::FakeMarket;
pub use state::SocketLog;

use state::State;

/// The running fake; stops when dropped.
pub struct FakePolymarket {
    /// `http://127.0.0.1:<port>`: the Gamma, CLOB and Data API base URL.
    pub url: String,
    /// `ws://127.0.0.1:<port>/ws/market`.
    pub ws_url: String,
    state: Arc<State>,
    _shutdown: oneshot::Sender<()>,
}

impl FakePolymarket {
    pub async fn spawn() -> anyhow::Result<Self> {
        let state = Arc::new(State::default());
        let app = Router::new()
            .route("/markets/keyset", get(gamma::keyset))
            .route("/markets", get(gamma::list))
            .route("/price", get(clob::price))
            .route("/midpoint", get(clob::midpoint))
            .route("/book", get(clob::book))
            .route("/ws/market", get(ws::upgrade))
            .route("/activity", get(data::activity))
            .with_state(Arc::clone(&state));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
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
            url: format!("http://{addr}"),
            ws_url: format!("ws://{addr}/ws/market"),
            state,
            _shutdown: tx,
        })
    }

    /// Replaces the catalogue Gamma serves; each outcome's price also sets its book.
    pub fn set_markets(&self, markets: Vec<FakeMarket>) {
        self.state.set_markets(markets);
    }

    /// Moves a token's book around `price` (bid a cent below, ask a cent above, so the
    /// midpoint is `price`) and sends a `price_change` to the sockets subscribed to it.
    pub fn push_price_change(&self, token_id: &str, price: Decimal) {
        self.state.push_price_change(token_id, price);
    }

    /// Replaces a token's book (levels as `(price, size)`) and sends a `book` event.
    pub fn push_book(
        &self,
        token_id: &str,
        bids: &[(Decimal, Decimal)],
        asks: &[(Decimal, Decimal)],
    ) {
        self.state.push_book(token_id, bids, asks);
    }

    /// Sends a `last_trade_price` event.
    pub fn push_last_trade(&self, token_id: &str, price: Decimal) {
        self.state.push_last_trade(token_id, price);
    }

    /// Closes every open market socket abruptly, as a server restart would.
    pub fn drop_sockets(&self) {
        self.state.drop_sockets();
    }

    /// A trade in the activity of its `proxy_wallet`.
    pub fn add_activity(&self, trade: IncomingTrade) {
        self.state.add_activity(trade);
    }

    /// The next `n` Gamma requests answer 500.
    pub fn fail_gamma(&self, n: usize) {
        self.state.fail_gamma(n);
    }

    /// Gamma requests served so far (failed ones included).
    pub fn gamma_requests(&self) -> usize {
        self.state.gamma_requests()
    }

    /// Data API requests served so far.
    pub fn activity_requests(&self) -> usize {
        self.state.activity_requests()
    }

    /// Every socket accepted so far, oldest first: what it asked for and whether it is open.
    pub fn sockets(&self) -> Vec<SocketLog> {
        self.state.sockets()
    }

    /// Waits until an open socket is subscribed to every token of `tokens`.
    pub async fn wait_for_subscription(
        &self,
        tokens: &[&str],
        timeout: Duration,
    ) -> anyhow::Result<SocketLog> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let found = self
                .sockets()
                .into_iter()
                .rev()
                .find(|s| s.open && tokens.iter().all(|t| s.assets.contains(*t)));
            if let Some(socket) = found {
                return Ok(socket);
            }
            if tokio::time::Instant::now() >= deadline {
                anyhow::bail!(
                    "no open socket subscribed to {tokens:?} within {timeout:?}; sockets: {:?}",
                    self.sockets()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
