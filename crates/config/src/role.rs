//! Which service is starting, and the `SKIP_DB` value each one must run with.

use std::fmt;

use crate::ConfigError;
use crate::vars::Vars;

/// The three services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Api,
    Bot,
    Workers,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Api => "api",
            Role::Bot => "bot",
            Role::Workers => "workers",
        }
    }

    /// The only `SKIP_DB` value this role may run with: the bot has no
    /// database code at all, api and workers cannot work without it.
    pub fn skip_db(self) -> bool {
        matches!(self, Role::Bot)
    }

    /// Rejects a `SKIP_DB` that contradicts the role, so a deployment that
    /// wired the wrong environment fails at start instead of half-working.
    pub(crate) fn check_skip_db(self, vars: &Vars<'_>) -> Result<(), ConfigError> {
        let Some(skip_db) = vars.bool("SKIP_DB")? else {
            return Ok(());
        };
        if skip_db == self.skip_db() {
            return Ok(());
        }
        let why = match self {
            Role::Api => "false for the api (it owns the database)",
            Role::Bot => "true for the bot (it never touches the database)",
            Role::Workers => "false for the workers (they read and write the database)",
        };
        Err(ConfigError::new("SKIP_DB", format!("must be {why}")))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
