//! What the fake knows and records, behind one lock; frames for sockets go out on a
//! broadcast channel, socket drops on a watch channel.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};
use ts_core::copy::IncomingTrade;

use super::market::FakeMarket;

/// A cent: the spread the fake puts around a pushed price.
const CENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
const SIZE: Decimal = Decimal::from_parts(100, 0, 0, false, 0);

/// One accepted market socket as the test sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketLog {
    pub id: usize,
    /// Every JSON message the client sent (subscriptions), in order; not the PINGs.
    pub messages: Vec<Value>,
    /// What the socket is subscribed to now.
    pub assets: BTreeSet<String>,
    pub pings: usize,
    pub open: bool,
}

/// A frame for the sockets subscribed to `asset_id`.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub asset_id: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Book {
    pub market: String,
    /// `(price, size)`, any order.
    pub bids: Vec<(Decimal, Decimal)>,
    pub asks: Vec<(Decimal, Decimal)>,
    pub last_trade: Option<Decimal>,
}

impl Book {
    pub fn best_bid(&self) -> Option<Decimal> {
        self.bids.iter().map(|l| l.0).max()
    }

    pub fn best_ask(&self) -> Option<Decimal> {
        self.asks.iter().map(|l| l.0).min()
    }

    /// The REST and WebSocket shape: bids ascending and asks descending, best last.
    pub fn to_json(&self, asset_id: &str, with_event_type: bool) -> Value {
        let mut bids = self.bids.clone();
        bids.sort_by_key(|l| l.0);
        let mut asks = self.asks.clone();
        asks.sort_by_key(|l| std::cmp::Reverse(l.0));
        let levels = |levels: Vec<(Decimal, Decimal)>| -> Vec<Value> {
            levels
                .into_iter()
                .map(|(p, s)| json!({"price": p.to_string(), "size": s.to_string()}))
                .collect()
        };
        let mut book = json!({
            "market": self.market,
            "asset_id": asset_id,
            "timestamp": now_ms().to_string(),
            "hash": format!("0x{:x}", now_ms()),
            "bids": levels(bids),
            "asks": levels(asks),
        });
        if with_event_type {
            book["event_type"] = json!("book");
        } else {
            book["min_order_size"] = json!("5");
            book["tick_size"] = json!("0.01");
            book["neg_risk"] = json!(false);
            book["last_trade_price"] = json!(self.last_trade.map(|p| p.to_string()));
        }
        book
    }
}

pub(crate) struct State {
    inner: Mutex<Inner>,
    pub frames: broadcast::Sender<Frame>,
    /// Bumped by `drop_sockets`: every socket open at that moment closes.
    pub drops: watch::Sender<u64>,
}

#[derive(Default)]
struct Inner {
    markets: Vec<FakeMarket>,
    books: HashMap<String, Book>,
    activity: Vec<IncomingTrade>,
    gamma_failures: usize,
    gamma_requests: usize,
    activity_requests: usize,
    sockets: Vec<SocketLog>,
    pushes: u64,
}

impl Default for State {
    fn default() -> Self {
        Self {
            inner: Mutex::default(),
            frames: broadcast::channel(4096).0,
            drops: watch::channel(0).0,
        }
    }
}

impl State {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_markets(&self, markets: Vec<FakeMarket>) {
        let mut inner = self.lock();
        for m in &markets {
            for (_, token, price) in &m.outcomes {
                let book = inner.books.entry(token.clone()).or_default();
                book.market = m.condition_id.clone();
                *book = around(book, *price);
            }
        }
        inner.markets = markets;
    }

    pub fn markets(&self) -> Vec<FakeMarket> {
        self.lock().markets.clone()
    }

    /// Counts a Gamma request; `true` when it must fail.
    pub fn gamma_request(&self) -> bool {
        let mut inner = self.lock();
        inner.gamma_requests += 1;
        if inner.gamma_failures > 0 {
            inner.gamma_failures -= 1;
            return true;
        }
        false
    }

    pub fn fail_gamma(&self, n: usize) {
        self.lock().gamma_failures = n;
    }

    pub fn gamma_requests(&self) -> usize {
        self.lock().gamma_requests
    }

    pub fn book(&self, token_id: &str) -> Option<Book> {
        self.lock().books.get(token_id).cloned()
    }

    pub fn push_price_change(&self, token_id: &str, price: Decimal) {
        let (book, as_array) = {
            let mut inner = self.lock();
            let entry = inner.books.entry(token_id.to_owned()).or_default();
            *entry = around(entry, price);
            let book = entry.clone();
            inner.pushes += 1;
            // Every other frame comes wrapped in an array, as the real server sometimes does.
            (book, inner.pushes.is_multiple_of(2))
        };
        let event = json!({
            "event_type": "price_change",
            "market": book.market,
            "timestamp": now_ms().to_string(),
            "price_changes": [{
                "asset_id": token_id,
                "price": price.to_string(),
                "size": SIZE.to_string(),
                "side": "BUY",
                "hash": format!("0x{:x}", now_ms()),
                "best_bid": book.best_bid().map(|p| p.to_string()),
                "best_ask": book.best_ask().map(|p| p.to_string()),
            }],
        });
        self.send(token_id, if as_array { json!([event]) } else { event });
    }

    pub fn push_book(
        &self,
        token_id: &str,
        bids: &[(Decimal, Decimal)],
        asks: &[(Decimal, Decimal)],
    ) {
        let book = {
            let mut inner = self.lock();
            let entry = inner.books.entry(token_id.to_owned()).or_default();
            entry.bids = bids.to_vec();
            entry.asks = asks.to_vec();
            entry.clone()
        };
        self.send(token_id, book.to_json(token_id, true));
    }

    pub fn push_last_trade(&self, token_id: &str, price: Decimal) {
        let market = {
            let mut inner = self.lock();
            let entry = inner.books.entry(token_id.to_owned()).or_default();
            entry.last_trade = Some(price);
            entry.market.clone()
        };
        let event = json!({
            "event_type": "last_trade_price", "asset_id": token_id, "market": market,
            "price": price.to_string(), "side": "BUY", "size": SIZE.to_string(),
            "fee_rate_bps": "0", "timestamp": now_ms().to_string(),
        });
        self.send(token_id, event);
    }

    fn send(&self, asset_id: &str, frame: Value) {
        // No receiver just means no socket is open.
        let _ = self.frames.send(Frame {
            asset_id: asset_id.to_owned(),
            text: frame.to_string(),
        });
    }

    pub fn drop_sockets(&self) {
        // Marked closed now, so a test waiting for the reconnection never sees the old one.
        for socket in &mut self.lock().sockets {
            socket.open = false;
        }
        self.drops.send_modify(|n| *n += 1);
    }

    pub fn add_activity(&self, trade: IncomingTrade) {
        self.lock().activity.push(trade);
    }

    pub fn activity(&self) -> Vec<IncomingTrade> {
        let mut inner = self.lock();
        inner.activity_requests += 1;
        inner.activity.clone()
    }

    pub fn activity_requests(&self) -> usize {
        self.lock().activity_requests
    }

    pub fn open_socket(&self) -> usize {
        let mut inner = self.lock();
        let id = inner.sockets.len();
        inner.sockets.push(SocketLog {
            id,
            messages: Vec::new(),
            assets: BTreeSet::new(),
            pings: 0,
            open: true,
        });
        id
    }

    pub fn with_socket<T>(&self, id: usize, f: impl FnOnce(&mut SocketLog) -> T) -> T {
        f(&mut self.lock().sockets[id])
    }

    pub fn sockets(&self) -> Vec<SocketLog> {
        self.lock().sockets.clone()
    }
}

/// A book with one level a cent either side of `price`, so its midpoint is `price`.
fn around(book: &Book, price: Decimal) -> Book {
    let floor = Decimal::new(1, 3);
    Book {
        market: book.market.clone(),
        bids: vec![((price - CENT).max(floor), SIZE)],
        asks: vec![((price + CENT).min(Decimal::ONE - floor), SIZE)],
        last_trade: book.last_trade,
    }
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
