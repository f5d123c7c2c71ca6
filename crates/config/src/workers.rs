//! Settings of the `workers` service: database, Redis, the API and the
//! Polymarket endpoints it polls and streams from.

use std::collections::HashMap;

use crate::vars::{HTTP, POSTGRES, REDIS, Vars, WEBSOCKET};
use crate::{ClobCredentials, ConfigError, Role, Secret, TelemetrySettings, TradingMode};

#[derive(Debug, Clone)]
pub struct WorkersSettings {
    /// `HEALTH_PORT`, default 8002.
    pub health_port: u16,
    pub database_url: Secret,
    pub redis_url: Secret,
    /// `REDIS_KEY_PREFIX`, default `ts`.
    pub redis_key_prefix: String,
    /// Base URL of the API, without trailing `/`.
    pub api_url: String,
    pub api_token: Secret,
    /// Polymarket endpoints, overridable so tests can use testkit's fakes.
    pub gamma_api_url: String,
    pub clob_api_url: String,
    pub clob_ws_url: String,
    pub data_api_url: String,
    /// `POLL_INTERVAL_SECS`, default 60, at least 1.
    pub poll_interval_secs: u64,
    pub trading_mode: TradingMode,
    /// Always `Some` in live mode.
    pub clob: Option<ClobCredentials>,
    pub telemetry: TelemetrySettings,
}

impl WorkersSettings {
    /// Reads `.env.local`, `.env` and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&crate::try_load_vars()?)
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let vars = Vars(vars);
        Role::Workers.check_skip_db(&vars)?;
        let trading_mode = TradingMode::from_vars(&vars)?;
        Ok(Self {
            health_port: vars.port("HEALTH_PORT", 8002)?,
            database_url: vars.secret_url("DATABASE_URL", POSTGRES)?,
            redis_url: vars.secret_url("REDIS_URL", REDIS)?,
            redis_key_prefix: crate::redis_key_prefix(&vars)?,
            api_url: vars.url("API_URL", HTTP)?,
            api_token: vars.secret("API_TOKEN")?,
            gamma_api_url: vars.url_or(
                "GAMMA_API_URL",
                HTTP,
                "https://gamma-api.polymarket.com",
            )?,
            clob_api_url: vars.url_or("CLOB_API_URL", HTTP, "https://clob.polymarket.com")?,
            clob_ws_url: vars.url_or(
                "CLOB_WS_URL",
                WEBSOCKET,
                "wss://ws-subscriptions-clob.polymarket.com/ws/market",
            )?,
            data_api_url: vars.url_or("DATA_API_URL", HTTP, "https://data-api.polymarket.com")?,
            poll_interval_secs: vars.number_at_least("POLL_INTERVAL_SECS", 60, 1)?,
            trading_mode,
            clob: ClobCredentials::from_vars(&vars, trading_mode)?,
            telemetry: TelemetrySettings::from_vars(&vars, Role::Workers)?,
        })
    }
}
