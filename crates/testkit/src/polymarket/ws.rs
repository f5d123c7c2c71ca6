//! The market channel at `/ws/market`: answers `PING` with `PONG`, takes the initial
//! subscription (with the books of its assets when `initial_dump` is set, as one JSON
//! array) and later subscribe/unsubscribe operations, forwards pushed events to the
//! sockets subscribed to their asset, and closes every socket on `drop_sockets`.
//!
//! The upgrade is done by hand (hyper's upgrade + tokio-tungstenite) so the workspace
//! carries one tungstenite, the one the client uses.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::state::State;

pub(crate) async fn upgrade(AxumState(state): AxumState<Arc<State>>, mut req: Request) -> Response {
    let Some(key) = req.headers().get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return (StatusCode::BAD_REQUEST, "expected a websocket upgrade").into_response();
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let socket =
                    WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None)
                        .await;
                serve(state, socket).await;
            }
            Err(e) => tracing::debug!(error = %e, "fake market socket upgrade failed"),
        }
    });
    let accept = derive_accept_key(key.as_bytes());
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

async fn serve<S>(state: Arc<State>, mut socket: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let id = state.open_socket();
    let mut frames = state.frames.subscribe();
    let mut drops = state.drops.subscribe();
    drops.borrow_and_update();
    loop {
        tokio::select! {
            _ = drops.changed() => break, // abrupt: no close frame, like a crashed server
            frame = frames.recv() => match frame {
                Ok(frame) => {
                    let subscribed = state.with_socket(id, |s| s.assets.contains(&frame.asset_id));
                    if subscribed && socket.send(Message::text(frame.text)).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            },
            incoming = socket.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    for reply in handle(&state, id, text.as_str()) {
                        if socket.send(Message::text(reply)).await.is_err() {
                            break;
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    state.with_socket(id, |s| s.open = false);
}

/// A client message; returns the frames to answer with.
fn handle(state: &State, id: usize, text: &str) -> Vec<String> {
    if text.trim() == "PING" {
        state.with_socket(id, |s| s.pings += 1);
        return vec!["PONG".into()];
    }
    let Ok(message) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let assets: Vec<String> = message["assets_ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let initial = message["type"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case("market"));
    let operation = message["operation"].as_str().unwrap_or_default().to_owned();
    state.with_socket(id, |s| {
        s.messages.push(message.clone());
        if initial {
            s.assets = assets.iter().cloned().collect();
        } else if operation == "subscribe" {
            s.assets.extend(assets.iter().cloned());
        } else if operation == "unsubscribe" {
            for a in &assets {
                s.assets.remove(a);
            }
        }
    });
    if initial && message["initial_dump"].as_bool().unwrap_or(true) {
        let books: Vec<Value> = assets
            .iter()
            .filter_map(|a| state.book(a).map(|b| b.to_json(a, true)))
            .collect();
        if !books.is_empty() {
            return vec![Value::Array(books).to_string()];
        }
    }
    Vec::new()
}
