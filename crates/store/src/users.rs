use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;
use sqlx::{FromRow, PgPool};
use ts_core::user::{UpsertUser, User};

use crate::{Result, SecretCipher};

pub struct Users<'a> {
    pool: &'a PgPool,
    cipher: &'a SecretCipher,
}

#[derive(FromRow)]
struct UserRow {
    telegram_id: i64,
    username: Option<String>,
    first_name: Option<String>,
    wallet_address: Option<String>,
    has_wallet_secret: bool,
    created_at: DateTime<Utc>,
    inserted: bool,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            telegram_id: r.telegram_id,
            username: r.username,
            first_name: r.first_name,
            wallet_address: r.wallet_address,
            has_wallet_secret: r.has_wallet_secret,
            created_at: r.created_at,
        }
    }
}

const USER_COLUMNS: &str = "telegram_id, username, first_name, wallet_address, \
     wallet_secret_enc IS NOT NULL AS has_wallet_secret, created_at";

impl<'a> Users<'a> {
    pub(crate) fn new(pool: &'a PgPool, cipher: &'a SecretCipher) -> Self {
        Self { pool, cipher }
    }

    /// Creates or updates a user; returns the user and whether it was created.
    /// Fields left out of the request keep their stored values.
    pub async fn upsert(&self, req: &UpsertUser) -> Result<(User, bool)> {
        let (wallet_address, wallet_secret) = match &req.wallet {
            Some(w) => (
                Some(w.address.to_ascii_lowercase()),
                Some(self.cipher.encrypt(&w.secret, req.telegram_id)),
            ),
            None => (None, None),
        };
        let row: UserRow = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO users (telegram_id, username, first_name, wallet_address, wallet_secret_enc)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (telegram_id) DO UPDATE SET
                username = COALESCE(EXCLUDED.username, users.username),
                first_name = COALESCE(EXCLUDED.first_name, users.first_name),
                wallet_address = COALESCE(EXCLUDED.wallet_address, users.wallet_address),
                wallet_secret_enc = COALESCE(EXCLUDED.wallet_secret_enc, users.wallet_secret_enc),
                updated_at = now()
             RETURNING {USER_COLUMNS}, (xmax = 0) AS inserted"
        )))
        .bind(req.telegram_id)
        .bind(&req.username)
        .bind(&req.first_name)
        .bind(wallet_address)
        .bind(wallet_secret)
        .fetch_one(self.pool)
        .await?;
        let inserted = row.inserted;
        Ok((row.into(), inserted))
    }

    pub async fn get(&self, telegram_id: i64) -> Result<Option<User>> {
        let row: Option<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, false AS inserted FROM users WHERE telegram_id = $1"
        )))
        .bind(telegram_id)
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(Into::into))
    }

    /// The decrypted wallet secret, for live order signing only; never returned by the API.
    pub async fn wallet_secret(&self, telegram_id: i64) -> Result<Option<String>> {
        let sealed: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT wallet_secret_enc FROM users WHERE telegram_id = $1")
                .bind(telegram_id)
                .fetch_optional(self.pool)
                .await?;
        sealed
            .flatten()
            .map(|s| self.cipher.decrypt(&s, telegram_id))
            .transpose()
    }
}
