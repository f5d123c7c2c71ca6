//! Complete, valid variable sets per role, for tests to break one at a time.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::HashMap;

pub const DATABASE_URL: &str = "postgres://ts:db-pa55word@localhost:5432/ts";
pub const REDIS_URL: &str = "redis://:redis-pa55word@localhost:6379/0";
pub const API_TOKEN: &str = "api-token-value-123";
pub const WEBHOOK_SECRET: &str = "webhook-secret-value-456";
pub const ENCRYPTION_KEY: &str = "0123456789abcdef0123456789abcdef";
pub const TELEGRAM_BOT_TOKEN: &str = "123456:telegram-token-value";

pub fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub fn api() -> HashMap<String, String> {
    vars(&[
        ("DATABASE_URL", DATABASE_URL),
        ("REDIS_URL", REDIS_URL),
        ("API_TOKEN", API_TOKEN),
        ("WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("ENCRYPTION_KEY", ENCRYPTION_KEY),
    ])
}

pub fn bot() -> HashMap<String, String> {
    vars(&[
        ("API_URL", "http://localhost:8000"),
        ("API_TOKEN", API_TOKEN),
        ("TELEGRAM_BOT_TOKEN", TELEGRAM_BOT_TOKEN),
    ])
}

pub fn workers() -> HashMap<String, String> {
    vars(&[
        ("DATABASE_URL", DATABASE_URL),
        ("REDIS_URL", REDIS_URL),
        ("API_URL", "http://localhost:8000"),
        ("API_TOKEN", API_TOKEN),
    ])
}

pub const CLOB: [(&str, &str); 3] = [
    ("CLOB_API_KEY", "clob-key-value"),
    ("CLOB_API_SECRET", "clob-secret-value"),
    ("CLOB_API_PASSPHRASE", "clob-passphrase-value"),
];

/// Every secret value used above; none may ever show up in output.
pub fn secret_values() -> Vec<&'static str> {
    let mut all = vec![
        DATABASE_URL,
        REDIS_URL,
        "db-pa55word",
        "redis-pa55word",
        API_TOKEN,
        WEBHOOK_SECRET,
        ENCRYPTION_KEY,
        TELEGRAM_BOT_TOKEN,
    ];
    all.extend(CLOB.iter().map(|(_, v)| *v));
    all
}

pub fn with(mut base: HashMap<String, String>, pairs: &[(&str, &str)]) -> HashMap<String, String> {
    base.extend(vars(pairs));
    base
}

pub fn without(mut base: HashMap<String, String>, name: &str) -> HashMap<String, String> {
    base.remove(name);
    base
}
