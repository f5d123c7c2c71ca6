//! Postgres storage: migrations and typed repositories. Used by the api and the
//! workers only; the bot never links this crate.

mod crypto;
mod error;
pub mod markets;
pub mod positions;
mod rows;
pub mod trading;
pub mod users;

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use crypto::SecretCipher;
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The database handle shared by repositories.
#[derive(Clone)]
pub struct Store {
    pool: PgPool,
    cipher: SecretCipher,
}

impl Store {
    /// Connects lazily-validated: the first query fails if Postgres is down, so the
    /// service starts and reports not-ready instead of crashing.
    pub fn connect_lazy(url: &str, max_connections: u32, cipher: SecretCipher) -> Result<Self> {
        let options: PgConnectOptions = url
            .parse()
            .map_err(|_| StoreError::Config("DATABASE_URL is not a valid Postgres URL".into()))?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(3))
            .connect_lazy_with(options);
        Ok(Self { pool, cipher })
    }

    pub fn from_pool(pool: PgPool, cipher: SecretCipher) -> Self {
        Self { pool, cipher }
    }

    /// Applies pending migrations. sqlx holds a Postgres advisory lock while it
    /// migrates, so two replicas starting together apply each migration once.
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn users(&self) -> users::Users<'_> {
        users::Users::new(&self.pool, &self.cipher)
    }

    pub fn markets(&self) -> markets::Markets<'_> {
        markets::Markets::new(&self.pool)
    }

    pub fn positions(&self) -> positions::Positions<'_> {
        positions::Positions::new(&self.pool)
    }

    pub fn trading(&self) -> trading::CopyTrading<'_> {
        trading::CopyTrading::new(&self.pool)
    }
}
