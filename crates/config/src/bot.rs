//! Settings of the `bot` service. It has no database and no Redis access, so
//! it deliberately reads neither `DATABASE_URL` nor `REDIS_URL`.

use std::collections::HashMap;

use crate::vars::{HTTP, Vars};
use crate::{ConfigError, Role, Secret, TelemetrySettings};

#[derive(Debug, Clone)]
pub struct BotSettings {
    /// `HEALTH_PORT`, default 8001.
    pub health_port: u16,
    /// Base URL of the API, without trailing `/`.
    pub api_url: String,
    pub api_token: Secret,
    /// `TELEGRAM_BOT_TOKEN`, or `BOT_TOKEN` when that is unset.
    pub telegram_bot_token: Secret,
    /// Bot API base URL override (tests point it at the fake); `None` = Telegram's.
    pub telegram_api_url: Option<String>,
    /// `ALLOWED_TELEGRAM_IDS`; `None` lets everyone in.
    pub allowed_telegram_ids: Option<Vec<i64>>,
    /// `BOT_RATE_LIMIT_PER_MINUTE`, default 30, at least 1.
    pub rate_limit_per_minute: u32,
    pub telemetry: TelemetrySettings,
}

impl BotSettings {
    /// Reads `.env.local`, `.env` and the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&crate::try_load_vars()?)
    }

    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let vars = Vars(vars);
        Role::Bot.check_skip_db(&vars)?;
        Ok(Self {
            health_port: vars.port("HEALTH_PORT", 8001)?,
            api_url: vars.url("API_URL", HTTP)?,
            api_token: vars.secret("API_TOKEN")?,
            telegram_bot_token: telegram_bot_token(&vars)?,
            telegram_api_url: vars.optional_url("TELEGRAM_API_URL", HTTP)?,
            allowed_telegram_ids: allowed_ids(&vars)?,
            rate_limit_per_minute: vars.number_at_least("BOT_RATE_LIMIT_PER_MINUTE", 30, 1)?,
            telemetry: TelemetrySettings::from_vars(&vars, Role::Bot)?,
        })
    }
}

fn telegram_bot_token(vars: &Vars<'_>) -> Result<Secret, ConfigError> {
    vars.secret("TELEGRAM_BOT_TOKEN")
        .or_else(|_| vars.secret("BOT_TOKEN"))
        .map_err(|_| {
            ConfigError::new(
                "TELEGRAM_BOT_TOKEN",
                "is required but not set (BOT_TOKEN is accepted too)",
            )
        })
}

fn allowed_ids(vars: &Vars<'_>) -> Result<Option<Vec<i64>>, ConfigError> {
    const NAME: &str = "ALLOWED_TELEGRAM_IDS";
    let Some(raw) = vars.get(NAME) else {
        return Ok(None);
    };
    let ids = raw
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<i64>().map_err(|_| {
                ConfigError::new(
                    NAME,
                    format!("must be comma-separated Telegram user ids, got '{item}'"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((!ids.is_empty()).then_some(ids))
}
