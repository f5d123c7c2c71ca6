//! The api binary's start-up contract: a missing or malformed variable stops it with
//! one line naming the variable, and no secret value ever reaches its output.
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use testkit::{TestDatabase, TestRedis};

const TOKEN: &str = "tok-SECRET-0a1b2c3d4e5f";
const WEBHOOK: &str = "whk-SECRET-9f8e7d6c";
const KEY: &str = "KEYSECRET0123456789abcdefghijklm";
const DB_PASSWORD: &str = "pgpwSECRET42";

fn valid_vars(db: &TestDatabase, redis: &TestRedis) -> HashMap<&'static str, String> {
    // Trust auth ignores the password, so it can be a secret to look for in the output.
    let url = db.url.replacen(
        "postgres://postgres@",
        &format!("postgres://postgres:{DB_PASSWORD}@"),
        1,
    );
    HashMap::from([
        ("DATABASE_URL", url),
        ("REDIS_URL", redis.url.clone()),
        ("REDIS_KEY_PREFIX", redis.prefix.clone()),
        ("API_TOKEN", TOKEN.to_string()),
        ("WEBHOOK_SECRET", WEBHOOK.to_string()),
        ("ENCRYPTION_KEY", KEY.to_string()),
    ])
}

fn api_command(vars: &HashMap<&'static str, String>) -> Command {
    let dir = tempfile::tempdir().unwrap().keep(); // no .env files here
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_api"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.envs(vars.iter().map(|(k, v)| (*k, v.as_str())));
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

fn assert_no_secret(output: &str) {
    for secret in [TOKEN, WEBHOOK, KEY, DB_PASSWORD] {
        assert!(
            !output.contains(secret),
            "a secret leaked into the output:\n{output}"
        );
    }
}

#[tokio::test]
async fn each_required_variable_missing_stops_the_api_with_one_line_naming_it() {
    let db = TestDatabase::create().await.unwrap();
    let redis = TestRedis::new();
    let valid = valid_vars(&db, &redis);
    for missing in [
        "DATABASE_URL",
        "REDIS_URL",
        "API_TOKEN",
        "WEBHOOK_SECRET",
        "ENCRYPTION_KEY",
    ] {
        let mut vars = valid.clone();
        vars.remove(missing);
        let out = api_command(&vars).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{missing}: expected a non-zero exit");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{missing}: one line expected, got {stderr}");
        assert!(lines[0].contains(missing), "{missing}: {stderr}");
        assert_no_secret(&stderr);
        assert_no_secret(&String::from_utf8_lossy(&out.stdout));
    }
    for (var, value, expect) in [
        (
            "ENCRYPTION_KEY",
            "too-short",
            "ENCRYPTION_KEY must be exactly 32 characters",
        ),
        ("SKIP_DB", "true", "SKIP_DB must be false"),
        ("API_PORT", "99999", "API_PORT"),
        ("REDIS_URL", "http://nope", "REDIS_URL"),
    ] {
        let mut vars = valid.clone();
        vars.insert(var, value.to_string());
        let out = api_command(&vars).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(expect), "{var}={value}: {stderr}");
        assert_no_secret(&stderr);
    }
}

#[tokio::test]
async fn a_running_api_never_logs_a_secret() {
    let db = TestDatabase::create().await.unwrap();
    let redis = TestRedis::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut vars = valid_vars(&db, &redis);
    vars.insert("API_PORT", port.to_string());
    vars.insert("API_HOST", "127.0.0.1".to_string());
    vars.insert("RUST_LOG", "debug".to_string());
    let child = api_command(&vars).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..100 {
        if http
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Requests that carry every secret: bearer, a wrong bearer, a signed webhook, a wallet secret.
    let _ = http
        .get(format!("{base}/api/v1/markets"))
        .bearer_auth(TOKEN)
        .send()
        .await;
    let _ = http
        .get(format!("{base}/api/v1/markets"))
        .bearer_auth("wrong")
        .send()
        .await;
    let body = br#"{"proxyWallet":"0x1111111111111111111111111111111111111111","transactionHash":"0xabcdef0123","asset":"9","side":"BUY","size":2,"price":0.5,"timestamp":1}"#;
    let _ = http
        .post(format!("{base}/webhooks/indexer"))
        .header("X-Signature", api_client::sign_webhook(WEBHOOK, body))
        .body(body.to_vec())
        .send()
        .await;
    let _ = http
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"telegram_id": 1, "wallet": {"address": "0x2222222222222222222222222222222222222222", "secret": "walletSECRETvalue"}}))
        .send()
        .await;
    // SIGTERM, as Kubernetes stops it: a graceful exit with the output flushed.
    send_sigterm(child.id());
    let out = child.wait_with_output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ready, "api never became ready:\n{all}");
    assert!(out.status.success(), "graceful shutdown expected:\n{all}");
    assert!(all.contains("api listening"), "{all}");
    assert_no_secret(&all);
    assert!(!all.contains("walletSECRETvalue"), "{all}");
}

fn send_sigterm(pid: u32) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
}
