//! One market-channel connection kept alive: it subscribes to the wanted assets, sends
//! later changes as subscribe/unsubscribe operations, sends a text `PING` every 10 s,
//! and reconnects (backoff 1 s doubling to 60 s) when the server drops it or goes quiet,
//! subscribing to everything again on the new connection.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use super::messages::{MarketEvent, parse_frame};
use super::subscription::{initial_subscription, subscription_update};
use crate::backoff::Backoff;

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug, Clone)]
pub struct SocketConfig {
    /// `wss://ws-subscriptions-clob.polymarket.com/ws/market` in production.
    pub url: String,
    pub ping_interval: Duration,
    /// Reconnect when nothing (not even a `PONG`) arrived for this long.
    pub silence_timeout: Duration,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl SocketConfig {
    /// The intervals of Polymarket's own client: PING every 10 s, 30 s timeout,
    /// reconnect after 1 s doubling to 60 s.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ping_interval: Duration::from_secs(10),
            silence_timeout: Duration::from_secs(30),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// What the socket reports to its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum SocketEvent {
    Connected,
    /// The connection failed or dropped; the next attempt comes after `retry_in`.
    Disconnected {
        error: String,
        retry_in: Duration,
    },
    Market(MarketEvent),
}

/// Handle of the connection task; dropping it closes the connection.
#[derive(Debug)]
pub struct MarketSocket {
    assets: watch::Sender<BTreeSet<String>>,
}

impl MarketSocket {
    /// Starts the connection task; events arrive on the receiver. The task stops when
    /// the handle or the receiver is dropped.
    pub fn spawn(config: SocketConfig) -> (Self, mpsc::Receiver<SocketEvent>) {
        let (assets, assets_rx) = watch::channel(BTreeSet::new());
        let (events, events_rx) = mpsc::channel(4096);
        tokio::spawn(run(config, assets_rx, events));
        (Self { assets }, events_rx)
    }

    /// The assets to follow from now on; the difference with the current subscription is
    /// sent on the open connection.
    pub fn set_assets(&self, assets: BTreeSet<String>) {
        self.assets.send_if_modified(|current| {
            let changed = *current != assets;
            *current = assets;
            changed
        });
    }
}

/// Why a session ended.
enum End {
    /// The owner is gone: stop for good.
    Shutdown,
    Dropped {
        error: String,
        heard_from_server: bool,
    },
}

async fn run(
    config: SocketConfig,
    mut assets: watch::Receiver<BTreeSet<String>>,
    events: mpsc::Sender<SocketEvent>,
) {
    let mut backoff = Backoff::new(config.initial_backoff, config.max_backoff);
    loop {
        let error = match connect_async(config.url.as_str()).await {
            Ok((socket, _)) => {
                if events.send(SocketEvent::Connected).await.is_err() {
                    return;
                }
                match session(&config, socket, &mut assets, &events).await {
                    End::Shutdown => return,
                    End::Dropped {
                        error,
                        heard_from_server,
                    } => {
                        // A server that accepts and drops at once must not be hammered.
                        if heard_from_server {
                            backoff.reset();
                        }
                        error
                    }
                }
            }
            Err(e) => format!("connect: {e}"),
        };
        let retry_in = backoff.next_delay();
        tracing::warn!(%error, retry_in_ms = retry_in.as_millis() as u64, "market socket down");
        let report = SocketEvent::Disconnected { error, retry_in };
        if events.send(report).await.is_err() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(retry_in) => {}
            () = events.closed() => return,
        }
        if assets.has_changed().is_err() {
            return; // the handle was dropped while we waited
        }
    }
}

async fn session(
    config: &SocketConfig,
    mut socket: Socket,
    assets: &mut watch::Receiver<BTreeSet<String>>,
    events: &mpsc::Sender<SocketEvent>,
) -> End {
    let mut subscription = Subscription::default();
    let mut heard = false;
    let dropped = |error: String, heard: bool| End::Dropped {
        error,
        heard_from_server: heard,
    };
    let wanted = assets.borrow_and_update().clone();
    if let Err(e) = subscription.sync(&mut socket, wanted).await {
        return dropped(e, heard);
    }
    let mut ping =
        tokio::time::interval_at(Instant::now() + config.ping_interval, config.ping_interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            changed = assets.changed() => {
                if changed.is_err() {
                    let _ = socket.close(None).await;
                    return End::Shutdown;
                }
                let wanted = assets.borrow_and_update().clone();
                if let Err(e) = subscription.sync(&mut socket, wanted).await {
                    return dropped(e, heard);
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > config.silence_timeout {
                    return dropped(format!("no message for {:?}", config.silence_timeout), heard);
                }
                if let Err(e) = socket.send(Message::text("PING")).await {
                    return dropped(format!("ping: {e}"), heard);
                }
            }
            frame = socket.next() => {
                let text = match frame {
                    None => return dropped("closed by the server".into(), heard),
                    Some(Err(e)) => return dropped(e.to_string(), heard),
                    Some(Ok(Message::Close(close))) => {
                        return dropped(format!("closed by the server: {close:?}"), heard);
                    }
                    Some(Ok(Message::Text(text))) => text,
                    // Protocol pings are answered by tungstenite; binary is not used.
                    Some(Ok(_)) => {
                        last_heard = Instant::now();
                        continue;
                    }
                };
                heard = true;
                last_heard = Instant::now();
                for event in parse_frame(text.as_str()) {
                    if events.send(SocketEvent::Market(event)).await.is_err() {
                        return End::Shutdown;
                    }
                }
            }
        }
    }
}

/// What this connection is subscribed to.
#[derive(Default)]
struct Subscription {
    assets: BTreeSet<String>,
    /// The first message of a connection has its own shape.
    initial_sent: bool,
}

impl Subscription {
    async fn sync(&mut self, socket: &mut Socket, wanted: BTreeSet<String>) -> Result<(), String> {
        let mut messages = Vec::new();
        if !self.initial_sent {
            // An empty initial subscription would only get the connection closed.
            if !wanted.is_empty() {
                messages.push(initial_subscription(&wanted));
                self.initial_sent = true;
            }
        } else {
            let added: Vec<&String> = wanted.difference(&self.assets).collect();
            let removed: Vec<&String> = self.assets.difference(&wanted).collect();
            if !added.is_empty() {
                messages.push(subscription_update(added, true));
            }
            if !removed.is_empty() {
                messages.push(subscription_update(removed, false));
            }
        }
        for message in messages {
            socket
                .send(Message::text(message))
                .await
                .map_err(|e| format!("subscribe: {e}"))?;
        }
        if self.initial_sent {
            self.assets = wanted;
        }
        Ok(())
    }
}
