mod common;

use common::{authed, http, json};
use serde_json::json;
use testkit::TestApi;
use ts_core::user::{UpsertUser, WalletInput};

#[tokio::test]
async fn upsert_creates_then_updates() {
    let api = TestApi::spawn().await.unwrap();
    let body = json!({"telegram_id": 42, "username": "alice", "first_name": "Alice"});
    let (status, created) = json(
        authed(http().post(api.url("/api/v1/users")))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(created["username"], "alice");
    let (status, updated) = json(
        authed(http().post(api.url("/api/v1/users")))
            .json(&json!({"telegram_id": 42, "username": "alice2"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(updated["username"], "alice2");
    assert_eq!(
        updated["first_name"], "Alice",
        "fields left out keep their value"
    );
    let user = api.client.get_user(42).await.unwrap();
    assert_eq!(user.username.as_deref(), Some("alice2"));
}

#[tokio::test]
async fn wallet_secret_is_encrypted_in_the_table() {
    let api = TestApi::spawn().await.unwrap();
    let secret = "super-secret-clob-key-material";
    let user = api
        .client
        .upsert_user(&UpsertUser {
            telegram_id: 5,
            username: None,
            first_name: None,
            wallet: Some(WalletInput {
                address: format!("0x{}", "AB".repeat(20)),
                secret: secret.into(),
            }),
        })
        .await
        .unwrap();
    assert!(user.has_wallet_secret);
    let raw = serde_json::to_string(&user).unwrap();
    assert!(!raw.contains(secret), "the API never returns the secret");

    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT wallet_secret_enc FROM users WHERE telegram_id = 5")
            .fetch_one(api.state.store.pool())
            .await
            .unwrap();
    assert!(
        stored.len() > secret.len(),
        "nonce and tag are stored with the ciphertext"
    );
    assert!(
        !stored.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "plaintext must not be in the column"
    );
    let as_text: String = sqlx::query_scalar(
        "SELECT encode(wallet_secret_enc, 'escape') FROM users WHERE telegram_id = 5",
    )
    .fetch_one(api.state.store.pool())
    .await
    .unwrap();
    assert!(!as_text.contains(secret));
    assert_eq!(
        api.state
            .store
            .users()
            .wallet_secret(5)
            .await
            .unwrap()
            .as_deref(),
        Some(secret)
    );
}
