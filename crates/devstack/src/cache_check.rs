//! `check-cache`: through the running api, a repeated read is a Redis hit, cached
//! keys carry a TTL, and a write invalidates what it made stale.
use ts_core::user::UpsertUser;

use crate::env::StackEnv;
use crate::http::expect_status;
use crate::report::Report;

pub async fn run() -> anyhow::Result<()> {
    let env = StackEnv::load();
    let api = env.api_client()?;
    let base = env.api_url();
    let cache = ts_cache::Cache::connect(
        env.require("REDIS_URL")?,
        env.get("REDIS_KEY_PREFIX").unwrap_or("ts"),
    )
    .await?;
    let mut r = Report::default();

    let query = api_client::MarketQuery {
        limit: Some(7),
        ..Default::default()
    };
    let hits_before = hits(&base).await?;
    let first = api.list_markets(&query).await;
    let second = api.list_markets(&query).await;
    let hits_after = hits(&base).await?;
    r.check(
        "a repeated GET /api/v1/markets is served from Redis",
        match (first, second) {
            (Ok(a), Ok(b)) if a == b && hits_after > hits_before => {
                Ok(format!("hits {hits_before} -> {hits_after}"))
            }
            (Ok(_), Ok(_)) => Err(format!(
                "the hit counter did not move ({hits_before} -> {hits_after})"
            )),
            (Err(e), _) | (_, Err(e)) => Err(e.to_string()),
        },
    );

    let keys = scan(env.require("REDIS_URL")?, &cache.key("cache:*")).await?;
    let mut without_ttl = Vec::new();
    for k in &keys {
        if cache.ttl(k).await? <= 0 {
            without_ttl.push(k.clone());
        }
    }
    r.check(
        "cached keys carry a TTL",
        if keys.is_empty() {
            Err("no cached key found".to_string())
        } else if without_ttl.is_empty() {
            Ok(format!("{} keys", keys.len()))
        } else {
            Err(format!("no TTL on {without_ttl:?}"))
        },
    );

    // A throwaway user: read twice (cached), rename, read again.
    let id = 9_000_000_000 + i64::from(rand::random::<u16>());
    let user = |name: &str| UpsertUser {
        telegram_id: id,
        username: Some(name.to_string()),
        first_name: None,
        wallet: None,
    };
    api.upsert_user(&user("cache-check-a")).await?;
    api.get_user(id).await?;
    let key = cache.key(&format!("cache:users:{id}"));
    let cached = cache.ttl(&key).await? > 0;
    api.upsert_user(&user("cache-check-b")).await?;
    let gone = cache.ttl(&key).await? < 0;
    let fresh = api.get_user(id).await?;
    r.check(
        "a write invalidates the read it made stale",
        if cached && gone && fresh.username.as_deref() == Some("cache-check-b") {
            Ok(format!("{key} deleted by the upsert"))
        } else {
            Err(format!(
                "cached={cached}, deleted={gone}, read back {:?}",
                fresh.username
            ))
        },
    );
    r.finish()
}

async fn hits(base: &str) -> anyhow::Result<u64> {
    let text = expect_status(&format!("{base}/metrics"), None, 200).await?;
    text.lines()
        .find_map(|l| l.strip_prefix("ts_cache_hits_total "))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no ts_cache_hits_total in /metrics"))
}

/// Every key matching `pattern`, walked with SCAN.
async fn scan(url: &str, pattern: &str) -> anyhow::Result<Vec<String>> {
    let client = redis::Client::open(url)?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let mut keys = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(500)
            .query_async(&mut conn)
            .await?;
        keys.extend(batch);
        if next == 0 {
            return Ok(keys);
        }
        cursor = next;
    }
}
