//! Every client mistake is a JSON error with a 4xx status, never a 500.
mod common;

use common::{authed, error_code, http, json, register};
use serde_json::json;
use testkit::TestApi;

#[tokio::test]
async fn bearer_is_required_on_api_routes() {
    let api = TestApi::spawn().await.unwrap();
    for path in [
        "/api/v1/markets",
        "/api/v1/users/1",
        "/api/v1/copy-trading/leaders",
        "/api/v1/events",
    ] {
        let (status, body) = json(http().get(api.url(path)).send().await.unwrap()).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(error_code(&body), "unauthorized");
        let resp = http()
            .get(api.url(path))
            .bearer_auth("wrong-token")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        let (status, _) = json(resp).await;
        assert_eq!(status, 401, "{path} with a wrong token");
    }
    let (status, _) = json(
        http()
            .post(api.url("/api/v1/users"))
            .json(&json!({"telegram_id": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    // Nothing was written by the refused request.
    assert!(api.state.store.users().get(1).await.unwrap().is_none());
}

#[tokio::test]
async fn bad_input_gets_4xx_json_errors() {
    let api = TestApi::spawn().await.unwrap();
    register(&api, 7).await;
    let c = http();
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        // malformed JSON
        (authed(c.post(api.url("/api/v1/users"))).header("content-type", "application/json").body("{not json"), 400, "invalid_json"),
        // wrong content type
        (authed(c.post(api.url("/api/v1/users"))).body("telegram_id=1"), 415, "unsupported_media_type"),
        // wrong field types and unknown fields
        (authed(c.post(api.url("/api/v1/users"))).json(&json!({"telegram_id": "abc"})), 422, "validation_error"),
        (authed(c.post(api.url("/api/v1/users"))).json(&json!({"telegram_id": 1, "is_admin": true})), 422, "validation_error"),
        // out of range values
        (authed(c.post(api.url("/api/v1/users"))).json(&json!({"telegram_id": -5})), 422, "validation_error"),
        (authed(c.get(api.url("/api/v1/markets?limit=0"))), 422, "validation_error"),
        (authed(c.get(api.url("/api/v1/markets?limit=101"))), 422, "validation_error"),
        (authed(c.get(api.url("/api/v1/markets?limit=abc"))), 400, "invalid_query"),
        (authed(c.get(api.url("/api/v1/markets?cursor=zz"))), 400, "invalid_cursor"),
        (authed(c.get(api.url("/api/v1/smart-trading/recommendations?limit=1000"))), 422, "validation_error"),
        (authed(c.get(api.url("/api/v1/trades?leader=nope"))), 422, "validation_error"),
        (authed(c.post(api.url("/api/v1/positions"))).json(&json!({"telegram_id": 7, "market_id": "m1", "outcome": "Yes", "amount": "0"})), 422, "validation_error"),
        (authed(c.post(api.url("/api/v1/positions"))).json(&json!({"telegram_id": 7, "market_id": "m1", "outcome": "Yes", "amount": 5, "take_profit": 1.5})), 422, "validation_error"),
        (authed(c.post(api.url("/api/v1/copy-trading/allocations"))).json(&json!({"telegram_id": 7, "leader_address": "0x12", "amount": 5})), 422, "validation_error"),
        (authed(c.post(api.url("/api/v1/copy-trading/allocations"))).json(&json!({"telegram_id": 7, "leader_address": format!("0x{}", "a".repeat(40)), "mode": "percent", "amount": 150})), 422, "validation_error"),
        // unknown ids
        (authed(c.get(api.url("/api/v1/users/999"))), 404, "not_found"),
        (authed(c.get(api.url("/api/v1/markets/nope"))), 404, "not_found"),
        (authed(c.post(api.url("/api/v1/positions/00000000-0000-0000-0000-000000000000/close"))).json(&json!({"telegram_id": 7})), 404, "not_found"),
        (authed(c.post(api.url("/api/v1/positions/not-a-uuid/close"))).json(&json!({"telegram_id": 7})), 400, "invalid_path"),
        (authed(c.get(api.url("/api/v1/users/abc/positions"))), 400, "invalid_path"),
        (authed(c.delete(api.url("/api/v1/copy-trading/allocations/00000000-0000-0000-0000-000000000000?telegram_id=7"))), 404, "not_found"),
        (authed(c.delete(api.url("/api/v1/copy-trading/allocations/00000000-0000-0000-0000-000000000000"))), 400, "invalid_query"),
        (authed(c.post(api.url("/api/v1/positions"))).json(&json!({"telegram_id": 7, "market_id": "nope", "outcome": "Yes", "amount": 5})), 404, "not_found"),
        (authed(c.post(api.url("/api/v1/positions"))).header("Idempotency-Key", "").json(&json!({"telegram_id": 7, "market_id": "m", "outcome": "Yes", "amount": 5})), 400, "invalid_idempotency_key"),
        // unknown routes and methods
        (authed(c.get(api.url("/api/v1/nothing-here"))), 404, "not_found"),
        (authed(c.put(api.url("/api/v1/markets"))), 405, "method_not_allowed"),
    ];
    for (i, (req, want_status, want_code)) in cases.into_iter().enumerate() {
        let (status, body) = json(req.send().await.unwrap()).await;
        assert_eq!(status, want_status, "case {i}: {body}");
        assert_eq!(error_code(&body), want_code, "case {i}: {body}");
    }
}
