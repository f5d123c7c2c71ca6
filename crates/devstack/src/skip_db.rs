//! `check-skip-db`: the bot has no database code (its dependency graph) and the
//! running bot holds no database credentials (its process environment).
use std::process::Command;

use crate::env::{StackEnv, logs_dir};
use crate::http::expect_status;
use crate::report::Report;

const FORBIDDEN: &[&str] = &[
    "sqlx",
    "redis",
    "ts-store",
    "ts-cache",
    "tokio-postgres",
    "postgres",
];

pub async fn run() -> anyhow::Result<()> {
    let mut r = Report::default();
    r.check(
        "cargo tree -p bot has no sqlx, redis, store or cache crate",
        dependency_graph(),
    );
    r.check(
        "the running bot has SKIP_DB=true and no DATABASE_URL or REDIS_URL",
        running_bot_env(),
    );
    let env = StackEnv::load();
    r.check(
        "the bot is ready (it answers from the API alone)",
        expect_status(
            &format!("{}/health/ready", env.health_url("bot")),
            None,
            200,
        )
        .await
        .map(|_| String::new()),
    );
    r.finish()
}

fn dependency_graph() -> anyhow::Result<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "-p", "bot", "-e", "normal", "--prefix", "none"])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout)?;
    let bad: Vec<&str> = tree
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|name| FORBIDDEN.contains(&name))
        })
        .collect();
    anyhow::ensure!(
        bad.is_empty(),
        "forbidden crates in the bot's graph: {bad:?}"
    );
    Ok(format!(
        "{} crates, none of {}",
        tree.lines().count(),
        FORBIDDEN.join("/")
    ))
}

fn running_bot_env() -> anyhow::Result<String> {
    let pid_file = logs_dir().join("bot.pid");
    let pid = std::fs::read_to_string(&pid_file).map_err(|_| {
        anyhow::anyhow!(
            "{} not found: is the bot running (start-all.sh)?",
            pid_file.display()
        )
    })?;
    let environ = std::fs::read(format!("/proc/{}/environ", pid.trim()))
        .map_err(|e| anyhow::anyhow!("cannot read the environment of pid {}: {e}", pid.trim()))?;
    let vars: Vec<String> = environ
        .split(|b| *b == 0)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    let names: Vec<&str> = vars
        .iter()
        .filter_map(|v| v.split_once('=').map(|(k, _)| k))
        .collect();
    anyhow::ensure!(
        vars.iter().any(|v| v == "SKIP_DB=true"),
        "SKIP_DB=true is not set"
    );
    let leaked: Vec<&&str> = names
        .iter()
        .filter(|n| {
            [
                "DATABASE_URL",
                "REDIS_URL",
                "ENCRYPTION_KEY",
                "WEBHOOK_SECRET",
            ]
            .contains(n)
        })
        .collect();
    anyhow::ensure!(leaked.is_empty(), "the bot received {leaked:?}");
    Ok(format!(
        "pid {}, variables: {}",
        pid.trim(),
        names.join(" ")
    ))
}
