//! The fakes' control server: act as a Telegram user and move Polymarket prices from
//! another process (scripts, `tsdev play`, the end-to-end checks).
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use testkit::telegram::{FakeUser, SentMessage};
use ts_core::copy::IncomingTrade;

use crate::fakes::Fakes;

type Shared = Arc<Fakes>;
type Reply = Result<Json<Value>, (StatusCode, Json<Value>)>;

pub fn router(fakes: Shared) -> Router {
    Router::new()
        .route(
            "/health",
            get(|| async { Json(json!({"status": "healthy"})) }),
        )
        .route("/telegram/users/{id}/send", post(send))
        .route("/telegram/users/{id}/press", post(press))
        .route("/telegram/users/{id}/messages", get(messages))
        .route("/telegram/commands", get(commands))
        .route("/polymarket/markets", get(markets))
        .route("/polymarket/price", post(price))
        .route("/polymarket/activity", post(activity))
        .route("/polymarket/drop-sockets", post(drop_sockets))
        .with_state(fakes)
}

fn error(status: StatusCode, message: impl std::fmt::Display) -> (StatusCode, Json<Value>) {
    (
        status,
        Json(json!({"error": {"code": "control_error", "message": message.to_string()}})),
    )
}

async fn user(fakes: &Fakes, id: i64) -> Result<FakeUser, (StatusCode, Json<Value>)> {
    let telegram = fakes
        .telegram
        .as_ref()
        .ok_or_else(|| error(StatusCode::CONFLICT, "the Telegram fake is not running"))?;
    let mut users = fakes.users.lock().await;
    Ok(users
        .entry(id)
        .or_insert_with(|| telegram.user(id, &format!("User{id}")))
        .clone())
}

pub fn message_json(m: &SentMessage) -> Value {
    let keyboard: Vec<Vec<Value>> = m
        .keyboard
        .iter()
        .map(|row| {
            row.iter()
                .map(|b| json!({"text": b.text, "callback_data": b.callback_data, "url": b.url}))
                .collect()
        })
        .collect();
    json!({"chat_id": m.chat_id, "message_id": m.message_id, "text": m.text, "keyboard": keyboard, "edited": m.edited})
}

#[derive(Deserialize)]
struct SendBody {
    text: String,
}

async fn send(State(f): State<Shared>, Path(id): Path<i64>, Json(body): Json<SendBody>) -> Reply {
    let u = user(&f, id).await?;
    Ok(Json(json!({"message_id": u.send_text(&body.text)})))
}

#[derive(Deserialize)]
struct PressBody {
    label: String,
}

async fn press(State(f): State<Shared>, Path(id): Path<i64>, Json(body): Json<PressBody>) -> Reply {
    let u = user(&f, id).await?;
    let query_id = u
        .press(&body.label)
        .map_err(|e| error(StatusCode::NOT_FOUND, format!("{e:#}")))?;
    let answer = u
        .answer(&query_id)
        .await
        .ok()
        .map(|a| json!({"text": a.text, "show_alert": a.show_alert}));
    Ok(Json(json!({"query_id": query_id, "answer": answer})))
}

/// The chat as the user sees it now: each message in its latest version.
async fn messages(State(f): State<Shared>, Path(id): Path<i64>) -> Reply {
    let u = user(&f, id).await?;
    Ok(Json(Value::Array(
        u.current_messages().iter().map(message_json).collect(),
    )))
}

async fn commands(State(f): State<Shared>) -> Reply {
    let t = f
        .telegram
        .as_ref()
        .ok_or_else(|| error(StatusCode::CONFLICT, "the Telegram fake is not running"))?;
    Ok(Json(Value::Array(
        t.commands()
            .into_iter()
            .map(|c| json!({"command": c.command, "description": c.description}))
            .collect(),
    )))
}

async fn markets(State(f): State<Shared>) -> Reply {
    let prices = f.prices.lock().await;
    let list: Vec<Value> = crate::demo::markets()
        .iter()
        .map(|m| {
            let outcomes: Vec<Value> = m
                .outcomes
                .iter()
                .map(|(name, token, _)| json!({"name": name, "token_id": token, "price": prices.get(token)}))
                .collect();
            json!({"id": m.id, "question": m.question, "outcomes": outcomes})
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

#[derive(Deserialize)]
struct PriceBody {
    token_id: String,
    price: Decimal,
}

async fn price(State(f): State<Shared>, Json(body): Json<PriceBody>) -> Reply {
    let pm = f
        .polymarket
        .as_ref()
        .ok_or_else(|| error(StatusCode::CONFLICT, "the Polymarket fake is not running"))?;
    f.prices
        .lock()
        .await
        .insert(body.token_id.clone(), body.price);
    pm.push_price_change(&body.token_id, body.price);
    Ok(Json(
        json!({"token_id": body.token_id, "price": body.price}),
    ))
}

async fn activity(State(f): State<Shared>, Json(trade): Json<IncomingTrade>) -> Reply {
    let pm = f
        .polymarket
        .as_ref()
        .ok_or_else(|| error(StatusCode::CONFLICT, "the Polymarket fake is not running"))?;
    pm.add_activity(trade);
    Ok(Json(json!({"added": 1})))
}

async fn drop_sockets(State(f): State<Shared>) -> Reply {
    let pm = f
        .polymarket
        .as_ref()
        .ok_or_else(|| error(StatusCode::CONFLICT, "the Polymarket fake is not running"))?;
    pm.drop_sockets();
    Ok(Json(json!({"dropped": true})))
}
