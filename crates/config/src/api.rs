//! Settings of the `api` service, which owns Postgres and Redis.

use std::collections::HashMap;

use crate::vars::{POSTGRES, REDIS, Vars};
use crate::{ClobCredentials, ConfigError, Role, Secret, TelemetrySettings, TradingMode};

#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// `API_HOST`, default `0.0.0.0`.
    pub host: String,
    /// `API_PORT`, default 8000.
    pub port: u16,
    pub database_url: Secret,
    pub redis_url: Secret,
    /// `REDIS_KEY_PREFIX`, default `ts`.
    pub redis_key_prefix: String,
    pub api_token: Secret,
    pub webhook_secret: Secret,
    /// 32 ASCII characters: the raw AES-256-GCM key.
    pub encryption_key: Secret,
    pub trading_mode: TradingMode,
    /// Always `Some` in live mode.
    pub clob: Option<ClobCredentials>,
    /// `CACHE_TTL_SECS`, default 30, 1..=86400.
    pub cache_ttl_secs: u64,
    pub telemetry: TelemetrySettings,
}

impl ApiSettings {
    /// Reads `.env.local`, `.env` and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&crate::try_load_vars()?)
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let vars = Vars(vars);
        Role::Api.check_skip_db(&vars)?;
        let trading_mode = TradingMode::from_vars(&vars)?;
        Ok(Self {
            host: vars.text_or("API_HOST", "0.0.0.0"),
            port: vars.port("API_PORT", 8000)?,
            database_url: vars.secret_url("DATABASE_URL", POSTGRES)?,
            redis_url: vars.secret_url("REDIS_URL", REDIS)?,
            redis_key_prefix: crate::redis_key_prefix(&vars)?,
            api_token: vars.secret("API_TOKEN")?,
            webhook_secret: vars.secret("WEBHOOK_SECRET")?,
            encryption_key: encryption_key(&vars)?,
            trading_mode,
            clob: ClobCredentials::from_vars(&vars, trading_mode)?,
            cache_ttl_secs: vars.number("CACHE_TTL_SECS", 30, 1..=86_400)?,
            telemetry: TelemetrySettings::from_vars(&vars, Role::Api)?,
        })
    }
}

/// The key bytes go straight into AES-256, so "32 characters" must also be
/// 32 bytes: multi-byte characters are refused.
fn encryption_key(vars: &Vars<'_>) -> Result<Secret, ConfigError> {
    const NAME: &str = "ENCRYPTION_KEY";
    let key = vars.required(NAME)?;
    if key.chars().count() != 32 {
        return Err(ConfigError::new(NAME, "must be exactly 32 characters"));
    }
    if !key.is_ascii() {
        return Err(ConfigError::new(
            NAME,
            "must be ASCII (its 32 bytes are the AES-256-GCM key)",
        ));
    }
    Ok(Secret::new(key))
}
