//! Settings per role: defaults, required variables, malformed values, SKIP_DB
//! and redaction.

mod common;

use common::*;
use ts_config::{ApiSettings, BotSettings, ConfigError, Role, TradingMode, WorkersSettings};

fn assert_missing(result: Result<impl std::fmt::Debug, ConfigError>, name: &str) {
    let e = result.expect_err(name);
    assert_eq!(e.variable, name, "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("{name} is required but not set")),
        "{e}"
    );
}

fn assert_invalid(result: Result<impl std::fmt::Debug, ConfigError>, name: &str, expect: &str) {
    let e = result.expect_err(name);
    assert_eq!(e.variable, name, "{e}");
    assert!(e.problem.contains(expect), "{e} should mention {expect}");
    for secret in secret_values() {
        assert!(!e.to_string().contains(secret), "{e} leaks a secret");
    }
}

#[test]
fn api_defaults() {
    let s = ApiSettings::from_vars(&api()).unwrap();
    assert_eq!(s.host, "0.0.0.0");
    assert_eq!(s.port, 8000);
    assert_eq!(s.database_url.expose(), DATABASE_URL);
    assert_eq!(s.redis_url.expose(), REDIS_URL);
    assert_eq!(s.redis_key_prefix, "ts");
    assert_eq!(s.api_token.expose(), API_TOKEN);
    assert_eq!(s.webhook_secret.expose(), WEBHOOK_SECRET);
    assert_eq!(s.encryption_key.expose(), ENCRYPTION_KEY);
    assert_eq!(s.trading_mode, TradingMode::Paper);
    assert!(s.clob.is_none());
    assert_eq!(s.cache_ttl_secs, 30);
    assert_eq!(s.telemetry.otlp_endpoint, None);
    assert_eq!(s.telemetry.service_name, "api");
}

#[test]
fn api_overrides() {
    let v = with(
        api(),
        &[
            ("API_HOST", "127.0.0.1"),
            ("API_PORT", "9000"),
            (
                "DATABASE_URL",
                "postgresql://u:p@db.example.supabase.co/postgres?sslmode=require",
            ),
            ("REDIS_URL", "rediss://default:p@redis.example.com:6380"),
            ("REDIS_KEY_PREFIX", "ts-test-7"),
            ("CACHE_TTL_SECS", "86400"),
            ("SKIP_DB", "false"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318/"),
            ("OTEL_SERVICE_NAME", "tradingstack-api"),
        ],
    );
    let s = ApiSettings::from_vars(&v).unwrap();
    assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 9000));
    assert_eq!(s.redis_key_prefix, "ts-test-7");
    assert_eq!(s.cache_ttl_secs, 86400);
    assert_eq!(
        s.telemetry.otlp_endpoint.as_deref(),
        Some("http://localhost:4318")
    );
    assert_eq!(s.telemetry.service_name, "tradingstack-api");
}

#[test]
fn api_requires_each_variable() {
    for name in [
        "DATABASE_URL",
        "REDIS_URL",
        "API_TOKEN",
        "WEBHOOK_SECRET",
        "ENCRYPTION_KEY",
    ] {
        assert_missing(ApiSettings::from_vars(&without(api(), name)), name);
        // An empty value is the same as no value.
        assert_missing(ApiSettings::from_vars(&with(api(), &[(name, "")])), name);
    }
}

#[test]
fn api_rejects_malformed_values() {
    let cases: &[(&str, &str, &str)] = &[
        ("API_PORT", "0", "1..=65535"),
        ("API_PORT", "70000", "1..=65535"),
        ("API_PORT", "eighty", "1..=65535"),
        ("DATABASE_URL", "mysql://u:db-pa55word@h/db", "postgres://"),
        ("DATABASE_URL", "db-pa55word", "postgres://"),
        ("REDIS_URL", "http://:redis-pa55word@h", "redis://"),
        (
            "ENCRYPTION_KEY",
            "too-short",
            "must be exactly 32 characters",
        ),
        (
            "ENCRYPTION_KEY",
            "0123456789abcdef0123456789abcdef0",
            "must be exactly 32 characters",
        ),
        (
            "ENCRYPTION_KEY",
            "0123456789abcdef0123456789abcdeé",
            "ASCII",
        ),
        ("CACHE_TTL_SECS", "0", "1..=86400"),
        ("CACHE_TTL_SECS", "86401", "1..=86400"),
        ("TRADING_MODE", "yolo", "paper or live"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318", "http://"),
        ("REDIS_KEY_PREFIX", "t s", "whitespace"),
    ];
    for (name, value, expect) in cases {
        assert_invalid(
            ApiSettings::from_vars(&with(api(), &[(name, value)])),
            name,
            expect,
        );
    }
    let e = ApiSettings::from_vars(&with(api(), &[("ENCRYPTION_KEY", "short")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "ENCRYPTION_KEY must be exactly 32 characters"
    );
}

#[test]
fn live_mode_needs_clob_credentials() {
    let live = with(api(), &[("TRADING_MODE", "live")]);
    for (name, _) in CLOB {
        let partial = with(live.clone(), &CLOB);
        assert_missing(ApiSettings::from_vars(&without(partial, name)), name);
    }
    let s = ApiSettings::from_vars(&with(live, &CLOB)).unwrap();
    assert_eq!(s.trading_mode, TradingMode::Live);
    let clob = s.clob.expect("live has credentials");
    assert_eq!(clob.api_key.expose(), "clob-key-value");
    assert_eq!(clob.secret.expose(), "clob-secret-value");
    assert_eq!(clob.passphrase.expose(), "clob-passphrase-value");

    // Paper mode takes a complete set and ignores a partial one.
    let paper = ApiSettings::from_vars(&with(api(), &CLOB)).unwrap();
    assert!(paper.clob.is_some());
    let partial = with(api(), &CLOB[..1]);
    assert!(ApiSettings::from_vars(&partial).unwrap().clob.is_none());

    let w = with(workers(), &[("TRADING_MODE", "LIVE")]);
    assert_missing(WorkersSettings::from_vars(&w), "CLOB_API_KEY");
}

#[test]
fn bot_defaults_and_options() {
    let s = BotSettings::from_vars(&bot()).unwrap();
    assert_eq!(s.health_port, 8001);
    assert_eq!(s.api_url, "http://localhost:8000");
    assert_eq!(s.telegram_bot_token.expose(), TELEGRAM_BOT_TOKEN);
    assert_eq!(s.telegram_api_url, None);
    assert_eq!(s.allowed_telegram_ids, None);
    assert_eq!(s.rate_limit_per_minute, 30);
    assert_eq!(s.telemetry.service_name, "bot");

    let v = with(
        bot(),
        &[
            ("TELEGRAM_API_URL", "http://127.0.0.1:9999/"),
            ("ALLOWED_TELEGRAM_IDS", " 42, -100123,,7 "),
            ("BOT_RATE_LIMIT_PER_MINUTE", "5"),
            ("SKIP_DB", "true"),
        ],
    );
    let s = BotSettings::from_vars(&v).unwrap();
    assert_eq!(s.telegram_api_url.as_deref(), Some("http://127.0.0.1:9999"));
    assert_eq!(s.allowed_telegram_ids, Some(vec![42, -100123, 7]));
    assert_eq!(s.rate_limit_per_minute, 5);

    let empty_list = with(bot(), &[("ALLOWED_TELEGRAM_IDS", " , ")]);
    assert_eq!(
        BotSettings::from_vars(&empty_list)
            .unwrap()
            .allowed_telegram_ids,
        None
    );
}

#[test]
fn bot_token_falls_back_to_bot_token() {
    let v = with(
        without(bot(), "TELEGRAM_BOT_TOKEN"),
        &[("BOT_TOKEN", "fallback")],
    );
    assert_eq!(
        BotSettings::from_vars(&v)
            .unwrap()
            .telegram_bot_token
            .expose(),
        "fallback"
    );
    let both = with(bot(), &[("BOT_TOKEN", "fallback")]);
    assert_eq!(
        BotSettings::from_vars(&both)
            .unwrap()
            .telegram_bot_token
            .expose(),
        TELEGRAM_BOT_TOKEN
    );
}

#[test]
fn bot_requires_each_variable() {
    for name in ["API_URL", "API_TOKEN", "TELEGRAM_BOT_TOKEN"] {
        assert_missing(BotSettings::from_vars(&without(bot(), name)), name);
    }
}

#[test]
fn bot_never_reads_database_or_redis() {
    let v = with(
        bot(),
        &[("DATABASE_URL", "not a url"), ("REDIS_URL", "nope")],
    );
    assert!(BotSettings::from_vars(&v).is_ok());
}

#[test]
fn bot_rejects_malformed_values() {
    let cases: &[(&str, &str, &str)] = &[
        ("HEALTH_PORT", "65536", "1..=65535"),
        ("API_URL", "localhost:8000", "http://"),
        ("API_URL", "ws://localhost:8000", "http://"),
        ("TELEGRAM_API_URL", "telegram", "http://"),
        ("ALLOWED_TELEGRAM_IDS", "42,alice", "alice"),
        ("BOT_RATE_LIMIT_PER_MINUTE", "0", "at least 1"),
    ];
    for (name, value, expect) in cases {
        assert_invalid(
            BotSettings::from_vars(&with(bot(), &[(name, value)])),
            name,
            expect,
        );
    }
}

#[test]
fn workers_defaults_and_overrides() {
    let s = WorkersSettings::from_vars(&workers()).unwrap();
    assert_eq!(s.health_port, 8002);
    assert_eq!(s.redis_key_prefix, "ts");
    assert_eq!(s.api_url, "http://localhost:8000");
    assert_eq!(s.gamma_api_url, "https://gamma-api.polymarket.com");
    assert_eq!(s.clob_api_url, "https://clob.polymarket.com");
    assert_eq!(
        s.clob_ws_url,
        "wss://ws-subscriptions-clob.polymarket.com/ws/market"
    );
    assert_eq!(s.data_api_url, "https://data-api.polymarket.com");
    assert_eq!(s.poll_interval_secs, 60);
    assert_eq!(s.trading_mode, TradingMode::Paper);
    assert_eq!(s.telemetry.service_name, "workers");

    let v = with(
        workers(),
        &[
            ("GAMMA_API_URL", "http://127.0.0.1:7001"),
            ("CLOB_API_URL", "http://127.0.0.1:7002/"),
            ("CLOB_WS_URL", "ws://127.0.0.1:7002/ws/market"),
            ("DATA_API_URL", "http://127.0.0.1:7003"),
            ("POLL_INTERVAL_SECS", "1"),
        ],
    );
    let s = WorkersSettings::from_vars(&v).unwrap();
    assert_eq!(s.gamma_api_url, "http://127.0.0.1:7001");
    assert_eq!(s.clob_api_url, "http://127.0.0.1:7002");
    assert_eq!(s.clob_ws_url, "ws://127.0.0.1:7002/ws/market");
    assert_eq!(s.data_api_url, "http://127.0.0.1:7003");
    assert_eq!(s.poll_interval_secs, 1);
}

#[test]
fn workers_requires_each_variable() {
    for name in ["DATABASE_URL", "REDIS_URL", "API_URL", "API_TOKEN"] {
        assert_missing(WorkersSettings::from_vars(&without(workers(), name)), name);
    }
}

#[test]
fn workers_rejects_malformed_values() {
    let cases: &[(&str, &str, &str)] = &[
        ("HEALTH_PORT", "0", "1..=65535"),
        ("DATABASE_URL", "redis://h", "postgres://"),
        ("REDIS_URL", DATABASE_URL, "redis://"),
        ("API_URL", "api:8000", "http://"),
        ("GAMMA_API_URL", "gamma", "http://"),
        ("CLOB_WS_URL", "https://clob.example", "ws://"),
        ("POLL_INTERVAL_SECS", "0", "at least 1"),
        ("POLL_INTERVAL_SECS", "-5", "at least 1"),
    ];
    for (name, value, expect) in cases {
        assert_invalid(
            WorkersSettings::from_vars(&with(workers(), &[(name, value)])),
            name,
            expect,
        );
    }
}

#[test]
fn skip_db_must_match_the_role() {
    let e = ApiSettings::from_vars(&with(api(), &[("SKIP_DB", "true")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "SKIP_DB must be false for the api (it owns the database)"
    );

    let e = BotSettings::from_vars(&with(bot(), &[("SKIP_DB", "false")])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "SKIP_DB must be true for the bot (it never touches the database)"
    );

    let e = WorkersSettings::from_vars(&with(workers(), &[("SKIP_DB", "1")])).unwrap_err();
    assert_eq!(e.variable, "SKIP_DB");
    assert!(
        e.problem.starts_with("must be false for the workers"),
        "{e}"
    );

    let e = ApiSettings::from_vars(&with(api(), &[("SKIP_DB", "sometimes")])).unwrap_err();
    assert_eq!(e.variable, "SKIP_DB");
    assert!(e.problem.contains("boolean"), "{e}");

    assert!(WorkersSettings::from_vars(&with(workers(), &[("SKIP_DB", "False")])).is_ok());
    assert!(BotSettings::from_vars(&with(bot(), &[("SKIP_DB", "")])).is_ok());
}

#[test]
fn debug_output_never_shows_secrets() {
    let api = ApiSettings::from_vars(&with(
        api(),
        &[("TRADING_MODE", "live")]
            .iter()
            .chain(&CLOB)
            .copied()
            .collect::<Vec<_>>(),
    ))
    .unwrap();
    let bot = BotSettings::from_vars(&bot()).unwrap();
    let workers = WorkersSettings::from_vars(&workers()).unwrap();
    let printed = format!("{api:?}\n{api:#?}\n{bot:?}\n{workers:?}");
    for secret in secret_values() {
        assert!(
            !printed.contains(secret),
            "Debug output leaks {secret}:\n{printed}"
        );
    }
    assert!(printed.contains("[redacted]"));
    assert!(printed.contains("0.0.0.0"), "non-secrets stay visible");
}

#[test]
fn display_names() {
    assert_eq!(Role::Api.to_string(), "api");
    assert_eq!(Role::Bot.to_string(), "bot");
    assert_eq!(Role::Workers.to_string(), "workers");
    assert_eq!(TradingMode::Paper.to_string(), "paper");
    assert_eq!(TradingMode::Live.to_string(), "live");
    assert_eq!(TradingMode::default(), TradingMode::Paper);
}
