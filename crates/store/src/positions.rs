use rust_decimal::Decimal;
use sqlx::AssertSqlSafe;
use sqlx::PgPool;
use ts_core::position::{CloseReason, Position, PositionSource, PositionStatus};
use uuid::Uuid;

use crate::Result;
use crate::rows::{POSITION_COLUMNS, PositionRow, convert};

pub struct Positions<'a> {
    pool: &'a PgPool,
}

/// A filled position ready to be stored.
#[derive(Debug, Clone)]
pub struct NewPosition {
    pub id: Uuid,
    pub telegram_id: i64,
    pub market_id: String,
    pub outcome: String,
    pub token_id: String,
    pub amount: Decimal,
    pub size: Decimal,
    pub entry_price: Decimal,
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
    pub source: PositionSource,
    pub allocation_id: Option<Uuid>,
    pub leader_trade_id: Option<Uuid>,
    pub idempotency_key: Option<String>,
    /// Fingerprint of the request body, to tell a retry from a different request.
    pub request_hash: Option<String>,
}

/// `SELECT` of positions joined to their market, with a `WHERE` clause appended.
fn select(where_clause: &str) -> String {
    format!(
        "SELECT {POSITION_COLUMNS} FROM positions p JOIN markets m ON m.id = p.market_id {where_clause}"
    )
}

/// Wraps a data-modifying statement `RETURNING *` so the result carries the market question.
fn returning(statement: &str) -> String {
    format!(
        "WITH p AS ({statement} RETURNING *) SELECT {POSITION_COLUMNS} FROM p JOIN markets m ON m.id = p.market_id"
    )
}

impl<'a> Positions<'a> {
    pub(crate) fn new(pool: &'a PgPool) -> Self {
        Self { pool }
    }

    /// Stores a position; `None` when its idempotency key or (allocation, leader trade)
    /// is already taken by an existing row.
    pub async fn insert(&self, p: &NewPosition) -> Result<Option<Position>> {
        let row: Option<PositionRow> = sqlx::query_as(AssertSqlSafe(returning(
            "INSERT INTO positions (id, telegram_id, market_id, outcome, token_id, amount, size, entry_price,
                take_profit, stop_loss, status, source, allocation_id, leader_trade_id, idempotency_key, request_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12, $13, $14, $15)
             ON CONFLICT DO NOTHING",
        )))
        .bind(p.id)
        .bind(p.telegram_id)
        .bind(&p.market_id)
        .bind(&p.outcome)
        .bind(&p.token_id)
        .bind(p.amount)
        .bind(p.size)
        .bind(p.entry_price)
        .bind(p.take_profit)
        .bind(p.stop_loss)
        .bind(p.source.as_str())
        .bind(p.allocation_id)
        .bind(p.leader_trade_id)
        .bind(&p.idempotency_key)
        .bind(&p.request_hash)
        .fetch_optional(self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<Position>> {
        let row: Option<PositionRow> = sqlx::query_as(AssertSqlSafe(select("WHERE p.id = $1")))
            .bind(id)
            .fetch_optional(self.pool)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// The position created under an idempotency key, with the request fingerprint.
    pub async fn by_idempotency_key(
        &self,
        key: &str,
    ) -> Result<Option<(Position, Option<String>)>> {
        let found: Option<(Uuid, Option<String>)> =
            sqlx::query_as("SELECT id, request_hash FROM positions WHERE idempotency_key = $1")
                .bind(key)
                .fetch_optional(self.pool)
                .await?;
        match found {
            Some((id, hash)) => Ok(self.get(id).await?.map(|p| (p, hash))),
            None => Ok(None),
        }
    }

    /// The follower position that copied a leader trade under an allocation, if any.
    pub async fn by_copy(
        &self,
        allocation_id: Uuid,
        leader_trade_id: Uuid,
    ) -> Result<Option<Position>> {
        let row: Option<PositionRow> = sqlx::query_as(AssertSqlSafe(select(
            "WHERE p.allocation_id = $1 AND p.leader_trade_id = $2",
        )))
        .bind(allocation_id)
        .bind(leader_trade_id)
        .fetch_optional(self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    pub async fn list_for_user(
        &self,
        telegram_id: i64,
        status: Option<PositionStatus>,
    ) -> Result<Vec<Position>> {
        let rows: Vec<PositionRow> = sqlx::query_as(AssertSqlSafe(select(
            "WHERE p.telegram_id = $1 AND ($2::text IS NULL OR p.status = $2) ORDER BY p.opened_at DESC, p.id",
        )))
        .bind(telegram_id)
        .bind(status.map(PositionStatus::as_str))
        .fetch_all(self.pool)
        .await?;
        convert(rows)
    }

    /// Every open position that has a take-profit or a stop-loss (the TP/SL monitor's index).
    pub async fn open_with_tpsl(&self) -> Result<Vec<Position>> {
        let rows: Vec<PositionRow> = sqlx::query_as(AssertSqlSafe(select(
            "WHERE p.status = 'open' AND (p.take_profit IS NOT NULL OR p.stop_loss IS NOT NULL)",
        )))
        .fetch_all(self.pool)
        .await?;
        convert(rows)
    }

    /// Token ids held in open positions (the price streamer follows them too).
    pub async fn open_token_ids(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT token_id FROM positions WHERE status = 'open' ORDER BY 1",
        )
        .fetch_all(self.pool)
        .await?)
    }

    /// Closes an open position; `None` when it was no longer open.
    pub async fn close(
        &self,
        id: Uuid,
        exit_price: Decimal,
        realized_pnl: Decimal,
        reason: CloseReason,
        idempotency_key: Option<&str>,
    ) -> Result<Option<Position>> {
        let row: Option<PositionRow> = sqlx::query_as(AssertSqlSafe(returning(
            "UPDATE positions SET status = 'closed', exit_price = $2, realized_pnl = $3, close_reason = $4,
                close_idempotency_key = $5, closed_at = now()
             WHERE id = $1 AND status = 'open'",
        )))
        .bind(id)
        .bind(exit_price)
        .bind(realized_pnl)
        .bind(reason.as_str())
        .bind(idempotency_key)
        .fetch_optional(self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// The close idempotency key a closed position was closed under.
    pub async fn close_key(&self, id: Uuid) -> Result<Option<String>> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT close_idempotency_key FROM positions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool)
        .await?
        .flatten())
    }

    /// Sets TP and SL of an open position; `None` when it was no longer open.
    pub async fn set_tpsl(
        &self,
        id: Uuid,
        take_profit: Option<Decimal>,
        stop_loss: Option<Decimal>,
    ) -> Result<Option<Position>> {
        let row: Option<PositionRow> = sqlx::query_as(AssertSqlSafe(returning(
            "UPDATE positions SET take_profit = $2, stop_loss = $3 WHERE id = $1 AND status = 'open'",
        )))
        .bind(id)
        .bind(take_profit)
        .bind(stop_loss)
        .fetch_optional(self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }
}
