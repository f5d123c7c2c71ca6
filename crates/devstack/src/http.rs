//! Small HTTP helpers for the checks.
use std::time::Duration;

use serde_json::Value;

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("reqwest client")
}

/// GET `url`; Ok with the body when the status is `want`.
pub async fn expect_status(url: &str, bearer: Option<&str>, want: u16) -> anyhow::Result<String> {
    let mut req = client().get(url);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url} does not answer: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    if status != want {
        anyhow::bail!(
            "{url} answered {status}, expected {want}: {}",
            body.chars().take(300).collect::<String>()
        );
    }
    Ok(body)
}

pub async fn get_json(url: &str) -> anyhow::Result<Value> {
    Ok(serde_json::from_str(&expect_status(url, None, 200).await?)?)
}

pub async fn post_json(url: &str, body: &Value) -> anyhow::Result<Value> {
    let resp = client().post(url).json(body).send().await?;
    let status = resp.status();
    let value: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        anyhow::bail!("{url} answered {status}: {value}");
    }
    Ok(value)
}
