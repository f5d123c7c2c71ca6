//! The bot has no database code: `SKIP_DB=true` holds by construction. Its normal
//! dependency graph has no sqlx, no Redis client and no storage crate, and the binary
//! refuses to start with `SKIP_DB=false`.

use std::process::Command;

const FORBIDDEN: [&str; 4] = ["sqlx", "redis", "ts-store", "ts-cache"];

#[test]
fn cargo_tree_has_no_database_or_redis_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "bot",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running cargo tree");
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(tree.lines().any(|l| l.starts_with("teloxide ")), "{tree}");
    let found: Vec<&str> = tree
        .lines()
        .filter(|line| {
            let name = line.split_whitespace().next().unwrap_or_default();
            FORBIDDEN
                .iter()
                .any(|f| name == *f || name.starts_with(&format!("{f}-")))
        })
        .collect();
    assert!(found.is_empty(), "the bot must not depend on: {found:?}");
}

#[test]
fn the_binary_refuses_skip_db_false() {
    let output = Command::new(env!("CARGO_BIN_EXE_bot"))
        .env_clear()
        .env("SKIP_DB", "false")
        .env("API_URL", "http://127.0.0.1:9")
        .env("API_TOKEN", "t")
        .env("TELEGRAM_BOT_TOKEN", "1:x")
        // No .env files of the developer's checkout.
        .current_dir(std::env::temp_dir())
        .output()
        .expect("running the bot binary");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("SKIP_DB") && stderr.contains("must be true for the bot"),
        "{stderr}"
    );
    assert!(!stderr.contains("1:x"), "no secret in the output");
}
