//! `verify-config` and `verify-services`: is the local stack configured, and is it up.
use std::collections::HashMap;
use std::path::Path;

use crate::env::StackEnv;
use crate::http::{expect_status, get_json};
use crate::report::Report;

const SCRIPTS: &[&str] = &[
    "start-all.sh",
    "start-api.sh",
    "start-bot.sh",
    "start-workers.sh",
    "stop-all.sh",
    "verify-config.sh",
    "verify-services.sh",
    "test-bot-api-integration.sh",
    "test-cache-integration.sh",
    "verify-handlers-skip-db.sh",
    "test-workers.sh",
    "test-e2e-scenarios.sh",
    "monitor-all.sh",
    "play.sh",
];

pub async fn config() -> anyhow::Result<()> {
    let mut r = Report::default();
    let files: Vec<&str> = [".env.local", ".env"]
        .into_iter()
        .filter(|f| Path::new(f).exists())
        .collect();
    r.check(
        "settings files",
        if files.is_empty() {
            Err("neither .env.local nor .env exists (start-all.sh creates .env.local from .env.example)".to_string())
        } else {
            Ok(files.join(", "))
        },
    );
    let env = StackEnv::load();
    // Values the local fakes provide when left empty.
    let mut vars: HashMap<String, String> = env.vars.clone();
    let fake_telegram = env
        .get("TELEGRAM_BOT_TOKEN")
        .or(env.get("BOT_TOKEN"))
        .is_none();
    if fake_telegram {
        vars.insert("TELEGRAM_BOT_TOKEN".into(), "0:local-fake".into());
    }
    r.check(
        "api settings",
        ts_config::ApiSettings::from_vars(&vars)
            .map(|s| format!("port {}, {} mode", s.port, s.trading_mode)),
    );
    r.check(
        "bot settings",
        ts_config::BotSettings::from_vars(&vars).map(|_| {
            if fake_telegram {
                "no TELEGRAM_BOT_TOKEN: the local Telegram fake stands in".to_string()
            } else {
                String::new()
            }
        }),
    );
    r.check(
        "workers settings",
        ts_config::WorkersSettings::from_vars(&vars)
            .map(|s| format!("poll every {} s", s.poll_interval_secs)),
    );
    r.check("Postgres reachable", postgres(&env).await);
    r.check("Redis reachable", redis(&env).await);
    let missing: Vec<&str> = SCRIPTS
        .iter()
        .copied()
        .filter(|s| !is_executable(&Path::new("scripts/dev").join(s)))
        .collect();
    r.check(
        "scripts present",
        if missing.is_empty() {
            Ok(format!("{} in scripts/dev", SCRIPTS.len()))
        } else {
            Err(format!("missing or not executable: {}", missing.join(", ")))
        },
    );
    r.finish()
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

async fn postgres(env: &StackEnv) -> anyhow::Result<String> {
    let url = env.require("DATABASE_URL")?;
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("DATABASE_URL does not connect: {e}"))?;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut conn)
        .await?;
    Ok(format!("server {version}"))
}

async fn redis(env: &StackEnv) -> anyhow::Result<String> {
    let url = env.require("REDIS_URL")?;
    let cache = ts_cache::Cache::connect(url, env.get("REDIS_KEY_PREFIX").unwrap_or("ts"))
        .await
        .map_err(|e| anyhow::anyhow!("REDIS_URL does not answer: {e}"))?;
    cache.ping().await?;
    Ok(String::new())
}

pub async fn services() -> anyhow::Result<()> {
    let env = StackEnv::load();
    let mut r = Report::default();
    let api = env.api_url();
    r.check(
        "api live",
        expect_status(&format!("{api}/health/live"), None, 200)
            .await
            .map(|_| api.clone()),
    );
    r.check(
        "api ready (Postgres and Redis)",
        expect_status(&format!("{api}/health/ready"), None, 200)
            .await
            .map(|_| String::new()),
    );
    r.check(
        "api docs",
        expect_status(&format!("{api}/docs/"), None, 200)
            .await
            .map(|_| format!("{api}/docs")),
    );
    r.check(
        "api refuses a request without the bearer token",
        expect_status(&format!("{api}/api/v1/markets"), None, 401)
            .await
            .map(|_| String::new()),
    );
    match env.require("API_TOKEN") {
        Ok(token) => {
            r.check(
                "api answers with the bearer token",
                expect_status(&format!("{api}/api/v1/markets?limit=1"), Some(token), 200)
                    .await
                    .map(|_| String::new()),
            );
        }
        Err(e) => {
            r.check::<anyhow::Error>("api answers with the bearer token", Err(e));
        }
    }
    for role in ["bot", "workers"] {
        let base = env.health_url(role);
        r.check(
            &format!("{role} live"),
            expect_status(&format!("{base}/health/live"), None, 200)
                .await
                .map(|_| base.clone()),
        );
        r.check(
            &format!("{role} ready"),
            get_json(&format!("{base}/health/ready"))
                .await
                .map(|v| summary(&v)),
        );
    }
    if let Ok(control) = env.control_url() {
        r.check(
            "local fakes",
            expect_status(&format!("{control}/health"), None, 200)
                .await
                .map(|_| control.to_string()),
        );
    }
    r.finish()
}

/// A compact view of a ready body: each check or worker with its state.
fn summary(v: &serde_json::Value) -> String {
    let parts = ["checks", "workers"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|c| c.as_object()));
    match parts {
        Some(map) => map
            .iter()
            .map(|(k, s)| {
                format!(
                    "{k}={}",
                    s.get("state")
                        .or(Some(s))
                        .and_then(|x| x.as_str())
                        .unwrap_or("?")
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => String::new(),
    }
}
