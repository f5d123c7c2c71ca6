//! Helpers shared by the api's integration tests.
#![allow(dead_code)]

use reqwest::{Client, RequestBuilder, Response};
use rust_decimal::Decimal;
use serde_json::Value;
use testkit::TestApi;
use testkit::api::{TEST_API_TOKEN, binary_market, yes_token};
use ts_core::user::UpsertUser;

pub fn http() -> Client {
    Client::new()
}

pub fn authed(b: RequestBuilder) -> RequestBuilder {
    b.bearer_auth(TEST_API_TOKEN)
}

/// Status and JSON body of a response.
pub async fn json(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, body)
}

/// Asserts the `{"error": {"code", "message"}}` shape and returns the code.
pub fn error_code(body: &Value) -> String {
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"));
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "no message in {body}"
    );
    code.to_string()
}

pub async fn register(api: &TestApi, telegram_id: i64) {
    api.client
        .upsert_user(&UpsertUser {
            telegram_id,
            username: Some(format!("user{telegram_id}")),
            first_name: None,
            wallet: None,
        })
        .await
        .unwrap();
}

/// A registered user and a priced market "m1" (Yes at `price`).
pub async fn trading_setup(api: &TestApi, telegram_id: i64, price: Decimal) {
    register(api, telegram_id).await;
    api.seed_markets(&[binary_market(
        "m1",
        "Will it rain tomorrow?",
        Decimal::from(50_000),
    )])
    .await
    .unwrap();
    api.set_price(&yes_token("m1"), price).await.unwrap();
}
