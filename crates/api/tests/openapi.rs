mod common;

use common::{http, json};
use testkit::TestApi;

#[tokio::test]
async fn openapi_documents_every_route_and_docs_are_served() {
    let api = TestApi::spawn().await.unwrap();
    let (status, doc) = json(http().get(api.url("/openapi.json")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/users", "post"),
        ("/api/v1/users/{telegram_id}", "get"),
        ("/api/v1/markets", "get"),
        ("/api/v1/markets/{id}", "get"),
        ("/api/v1/users/{telegram_id}/positions", "get"),
        ("/api/v1/positions", "post"),
        ("/api/v1/positions/{id}", "patch"),
        ("/api/v1/positions/{id}/close", "post"),
        ("/api/v1/copy-trading/leaders", "get"),
        ("/api/v1/copy-trading/allocations", "post"),
        ("/api/v1/users/{telegram_id}/allocations", "get"),
        ("/api/v1/copy-trading/allocations/{id}", "delete"),
        ("/api/v1/smart-trading/recommendations", "get"),
        ("/api/v1/trades", "get"),
        ("/api/v1/watched-addresses", "get"),
        ("/api/v1/events", "get"),
        ("/webhooks/indexer", "post"),
        ("/health/live", "get"),
        ("/health/ready", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let docs = http().get(api.url("/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("swagger")
    );
}
