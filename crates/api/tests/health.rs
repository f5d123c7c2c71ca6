mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{http, json};
use testkit::{TestApi, TestDatabase, TestRedis};

#[tokio::test]
async fn live_and_ready_with_both_dependencies_up() {
    let api = TestApi::spawn().await.unwrap();
    let (status, body) = json(http().get(api.url("/health/live")).send().await.unwrap()).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("healthy")));
    let (status, body) = json(http().get(api.url("/health/ready")).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["checks"]["postgres"], "ok");
    assert_eq!(body["checks"]["redis"], "ok");
    let (status, body) = json(http().get(api.url("/")).send().await.unwrap()).await;
    assert_eq!(
        (status, body["name"].as_str()),
        (200, Some("tradingstack-api"))
    );
}

struct RedisProcess(Child);

impl Drop for RedisProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn ready_is_503_naming_redis_when_redis_is_down() {
    // A Redis of this test's own, so it can be stopped without disturbing other tests.
    let port = free_port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server on PATH (scripts/test.sh installs it)");
    let mut redis_proc = RedisProcess(child);
    let mut redis = TestRedis::new();
    redis.url = format!("redis://127.0.0.1:{port}");
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let api = TestApi::spawn_on(
        std::sync::Arc::new(TestDatabase::create().await.unwrap()),
        std::sync::Arc::new(redis),
    )
    .await
    .unwrap();
    let (status, _) = json(http().get(api.url("/health/ready")).send().await.unwrap()).await;
    assert_eq!(status, 200);

    let _ = redis_proc.0.kill();
    let _ = redis_proc.0.wait();
    let (status, body) = json(http().get(api.url("/health/ready")).send().await.unwrap()).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["redis"], "unavailable");
    assert_eq!(body["checks"]["postgres"], "ok");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("redis"), "{message}");
    assert!(!message.contains("postgres"), "{message}");
}

#[tokio::test]
async fn ready_is_503_naming_postgres_when_postgres_is_down() {
    let api = TestApi::spawn().await.unwrap();
    // The same app, with its pool pointed at a port where nothing listens.
    let dead = format!("postgres://postgres@127.0.0.1:{}/nothing", free_port());
    let cipher = ts_store::SecretCipher::new(testkit::api::TEST_ENCRYPTION_KEY).unwrap();
    let mut state = api.state.clone();
    state.store = ts_store::Store::connect_lazy(&dead, 2, cipher).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(api::serve(listener, state, std::future::pending()));
    let (status, body) = json(
        http()
            .get(format!("http://{addr}/health/ready"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["postgres"], "unavailable");
    assert_eq!(body["checks"]["redis"], "ok");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("postgres")
    );
}
