//! Polymarket CLOB API credentials: mandatory for live trading only.

use crate::vars::Vars;
use crate::{ConfigError, Secret, TradingMode};

const VARIABLES: [&str; 3] = ["CLOB_API_KEY", "CLOB_API_SECRET", "CLOB_API_PASSPHRASE"];

#[derive(Debug, Clone)]
pub struct ClobCredentials {
    pub api_key: Secret,
    pub secret: Secret,
    pub passphrase: Secret,
}

impl ClobCredentials {
    /// Live mode needs all three. Paper mode never places a CLOB order, so it
    /// takes them only when all three are present and ignores a partial set.
    pub(crate) fn from_vars(
        vars: &Vars<'_>,
        mode: TradingMode,
    ) -> Result<Option<Self>, ConfigError> {
        if mode == TradingMode::Paper && VARIABLES.iter().any(|v| vars.get(v).is_none()) {
            return Ok(None);
        }
        let live_only = |name: &'static str| {
            vars.secret(name).map_err(|_| {
                ConfigError::new(name, "is required but not set (TRADING_MODE=live needs it)")
            })
        };
        Ok(Some(Self {
            api_key: live_only(VARIABLES[0])?,
            secret: live_only(VARIABLES[1])?,
            passphrase: live_only(VARIABLES[2])?,
        }))
    }
}
