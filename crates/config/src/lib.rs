//! Typed settings of the three services, read from `.env.local`, `.env` and
//! the process environment (which wins), validated once at start-up.
//!
//! Every problem is a [`ConfigError`] naming the variable and the rule; secret
//! values are [`Secret`]s and never appear in `Debug` output or errors.

mod api;
mod bot;
mod clob;
mod error;
mod mode;
mod role;
mod secret;
mod sources;
mod telemetry;
mod vars;
mod workers;

pub use api::ApiSettings;
pub use bot::BotSettings;
pub use clob::ClobCredentials;
pub use error::ConfigError;
pub use mode::TradingMode;
pub use role::Role;
pub use secret::Secret;
pub use sources::{load_vars, merge_env_files, try_load_vars};
pub use telemetry::TelemetrySettings;
pub use workers::WorkersSettings;

/// Unwraps settings in a service's `main`, or prints one line
/// `config error: {e}` to stderr and exits with code 2 (a usage error, so
/// orchestrators and scripts can tell it from a crash).
pub fn or_exit<T>(result: Result<T, ConfigError>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => {
            eprintln!("config error: {e}");
            std::process::exit(2)
        }
    }
}

/// `REDIS_KEY_PREFIX` (default `ts`), shared by api and workers: keys are
/// `{prefix}:...`, so whitespace would break them.
fn redis_key_prefix(vars: &vars::Vars<'_>) -> Result<String, ConfigError> {
    let prefix = vars.text_or("REDIS_KEY_PREFIX", "ts");
    if prefix.chars().any(char::is_whitespace) {
        return Err(ConfigError::new(
            "REDIS_KEY_PREFIX",
            "must not contain whitespace",
        ));
    }
    Ok(prefix)
}
