//! `TRADING_MODE`: paper fills by default, live CLOB orders only on request.

use std::fmt;

use crate::ConfigError;
use crate::vars::Vars;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TradingMode {
    #[default]
    Paper,
    Live,
}

impl TradingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TradingMode::Paper => "paper",
            TradingMode::Live => "live",
        }
    }

    pub(crate) fn from_vars(vars: &Vars<'_>) -> Result<Self, ConfigError> {
        let Some(raw) = vars.get("TRADING_MODE") else {
            return Ok(TradingMode::Paper);
        };
        match raw.trim().to_ascii_lowercase().as_str() {
            "paper" => Ok(TradingMode::Paper),
            "live" => Ok(TradingMode::Live),
            _ => Err(ConfigError::new(
                "TRADING_MODE",
                format!("must be paper or live, got '{}'", raw.trim()),
            )),
        }
    }
}

impl fmt::Display for TradingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
