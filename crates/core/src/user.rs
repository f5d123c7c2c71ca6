use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ValidationError;

/// A Telegram user as the API returns it. The wallet secret itself never leaves the api.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub telegram_id: i64,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub wallet_address: Option<String>,
    /// True when a wallet secret is stored (encrypted) for live trading.
    pub has_wallet_secret: bool,
    pub created_at: DateTime<Utc>,
}

/// `POST /users`: create or update a user by `telegram_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpsertUser {
    pub telegram_id: i64,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    /// Optional wallet for live trading; the secret is encrypted at rest.
    #[serde(default)]
    pub wallet: Option<WalletInput>,
}

#[derive(Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WalletInput {
    pub address: String,
    pub secret: String,
}

impl std::fmt::Debug for WalletInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletInput")
            .field("address", &self.address)
            .field("secret", &"[redacted]")
            .finish()
    }
}

pub fn validate_telegram_id(id: i64) -> Result<i64, ValidationError> {
    if id <= 0 {
        return Err(ValidationError::new(
            "telegram_id must be a positive integer",
        ));
    }
    Ok(id)
}

impl UpsertUser {
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_telegram_id(self.telegram_id)?;
        for (name, value) in [
            ("username", &self.username),
            ("first_name", &self.first_name),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 256) {
                return Err(ValidationError::new(format!(
                    "{name} must be at most 256 characters"
                )));
            }
        }
        if let Some(wallet) = &self.wallet {
            crate::LeaderAddress::parse(&wallet.address)
                .map_err(|e| ValidationError::new(format!("wallet.address: {e}")))?;
            if wallet.secret.is_empty() || wallet.secret.len() > 512 {
                return Err(ValidationError::new(
                    "wallet.secret must be 1 to 512 characters",
                ));
            }
        }
        Ok(())
    }
}
