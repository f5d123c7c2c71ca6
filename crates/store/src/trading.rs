//! Copy trading: leaders, their trades, followers' allocations and skipped copies.
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::AssertSqlSafe;
use sqlx::{FromRow, PgPool};
use ts_core::LeaderAddress;
use ts_core::copy::{
    Allocation, CreateAllocationRequest, IncomingTrade, Leader, LeaderTrade, WatchedAddress,
};
use uuid::Uuid;

use crate::rows::{ALLOCATION_COLUMNS, AllocationRow, TRADE_COLUMNS, TradeRow, convert};
use crate::{Result, StoreError};

pub struct CopyTrading<'a> {
    pool: &'a PgPool,
}

/// How a leader trade reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TradeSource {
    Webhook,
    DataApi,
}

impl TradeSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::DataApi => "data_api",
        }
    }
}

/// What storing a leader trade did.
#[derive(Debug, Clone)]
pub struct TradeInsert {
    pub trade: LeaderTrade,
    /// False when the same (transaction hash, asset) was already stored.
    pub is_new: bool,
    /// True when the stored trade is already on the stream.
    pub streamed: bool,
}

#[derive(FromRow)]
struct LeaderRow {
    address: String,
    name: Option<String>,
    trades_count: i64,
    volume: Decimal,
    last_trade_at: Option<DateTime<Utc>>,
    followers: i64,
}

#[derive(FromRow)]
struct WatchedRow {
    address: String,
    followers: i64,
    has_webhook: bool,
}

fn address(raw: String) -> Result<LeaderAddress> {
    LeaderAddress::parse(&raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl<'a> CopyTrading<'a> {
    pub(crate) fn new(pool: &'a PgPool) -> Self {
        Self { pool }
    }

    /// Stores a leader trade once per (transaction hash, asset). The leader row is
    /// created on first sight.
    pub async fn insert_trade(
        &self,
        t: &IncomingTrade,
        source: TradeSource,
    ) -> Result<TradeInsert> {
        let mut tx = self.pool.begin().await?;
        let name = t
            .pseudonym
            .clone()
            .or_else(|| t.name.clone())
            .filter(|n| !n.is_empty());
        sqlx::query(
            "INSERT INTO leaders (address, name, has_webhook) VALUES ($1, $2, $3)
             ON CONFLICT (address) DO UPDATE SET name = COALESCE(leaders.name, EXCLUDED.name),
                has_webhook = leaders.has_webhook OR EXCLUDED.has_webhook",
        )
        .bind(t.proxy_wallet.as_str())
        .bind(name)
        .bind(source == TradeSource::Webhook)
        .execute(&mut *tx)
        .await?;
        let traded_at = DateTime::<Utc>::from_timestamp(t.timestamp, 0).unwrap_or_else(Utc::now);
        let size = t.size.unwrap_or_else(|| {
            if t.price.is_zero() {
                Decimal::ZERO
            } else {
                t.usdc() / t.price
            }
        });
        let row: Option<TradeRow> = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO leader_trades (id, leader_address, transaction_hash, asset, condition_id, side, size, price,
                usdc_size, outcome, outcome_index, title, source, traded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (transaction_hash, asset) DO NOTHING
             RETURNING {TRADE_COLUMNS}"
        )))
        .bind(Uuid::new_v4())
        .bind(t.proxy_wallet.as_str())
        .bind(t.transaction_hash.trim().to_ascii_lowercase())
        .bind(t.asset.trim())
        .bind(&t.condition_id)
        .bind(t.side.as_str())
        .bind(size.round_dp(6))
        .bind(t.price)
        .bind(t.usdc().round_dp(6))
        .bind(&t.outcome)
        .bind(t.outcome_index)
        .bind(&t.title)
        .bind(source.as_str())
        .bind(traded_at)
        .fetch_optional(&mut *tx)
        .await?;
        let inserted = match row {
            Some(r) => TradeInsert {
                trade: r.try_into()?,
                is_new: true,
                streamed: false,
            },
            None => {
                let (row, streamed): (TradeRow, bool) = {
                    let r: TradeRow = sqlx::query_as(AssertSqlSafe(format!(
                        "SELECT {TRADE_COLUMNS} FROM leader_trades WHERE transaction_hash = $1 AND asset = $2"
                    )))
                    .bind(t.transaction_hash.trim().to_ascii_lowercase())
                    .bind(t.asset.trim())
                    .fetch_one(&mut *tx)
                    .await?;
                    let streamed: bool = sqlx::query_scalar(
                        "SELECT streamed_at IS NOT NULL FROM leader_trades WHERE id = $1",
                    )
                    .bind(r.id)
                    .fetch_one(&mut *tx)
                    .await?;
                    (r, streamed)
                };
                TradeInsert {
                    trade: row.try_into()?,
                    is_new: false,
                    streamed,
                }
            }
        };
        tx.commit().await?;
        Ok(inserted)
    }

    /// Marks a trade as appended to the leader-trades stream.
    pub async fn mark_streamed(&self, id: Uuid) -> Result<()> {
        sqlx::query(
            "UPDATE leader_trades SET streamed_at = now() WHERE id = $1 AND streamed_at IS NULL",
        )
        .bind(id)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn trade(&self, id: Uuid) -> Result<Option<LeaderTrade>> {
        let row: Option<TradeRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TRADE_COLUMNS} FROM leader_trades WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// Newest first, optionally for one leader.
    pub async fn trades(
        &self,
        leader: Option<&LeaderAddress>,
        limit: u32,
    ) -> Result<Vec<LeaderTrade>> {
        let rows: Vec<TradeRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TRADE_COLUMNS} FROM leader_trades WHERE ($1::text IS NULL OR leader_address = $1)
             ORDER BY traded_at DESC, id LIMIT $2"
        )))
        .bind(leader.map(LeaderAddress::as_str))
        .bind(i64::from(limit))
        .fetch_all(self.pool)
        .await?;
        convert(rows)
    }

    /// Leaders with their stats, most followed and most active first.
    pub async fn leaders(&self) -> Result<Vec<Leader>> {
        let rows: Vec<LeaderRow> = sqlx::query_as(
            "SELECT l.address, l.name,
                COALESCE(t.trades_count, 0) AS trades_count, COALESCE(t.volume, 0) AS volume, t.last_trade_at,
                COALESCE(a.followers, 0) AS followers
             FROM leaders l
             LEFT JOIN (SELECT leader_address, count(*) AS trades_count, sum(usdc_size) AS volume,
                               max(traded_at) AS last_trade_at
                        FROM leader_trades GROUP BY leader_address) t ON t.leader_address = l.address
             LEFT JOIN (SELECT leader_address, count(*) AS followers FROM allocations WHERE active
                        GROUP BY leader_address) a ON a.leader_address = l.address
             ORDER BY followers DESC, volume DESC, l.address",
        )
        .fetch_all(self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Leader {
                    address: address(r.address)?,
                    name: r.name,
                    trades_count: r.trades_count,
                    volume: r.volume.normalize(),
                    last_trade_at: r.last_trade_at,
                    followers: r.followers,
                })
            })
            .collect()
    }

    /// Creates an active allocation; `None` when the idempotency key is taken or the
    /// user already follows this leader.
    pub async fn create_allocation(
        &self,
        req: &CreateAllocationRequest,
        idempotency_key: Option<&str>,
        request_hash: &str,
    ) -> Result<Option<Allocation>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO leaders (address) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(req.leader_address.as_str())
            .execute(&mut *tx)
            .await?;
        let row: Option<AllocationRow> = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO allocations (id, telegram_id, leader_address, mode, amount, max_per_trade, slippage_bps,
                idempotency_key, request_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT DO NOTHING RETURNING {ALLOCATION_COLUMNS}"
        )))
        .bind(Uuid::new_v4())
        .bind(req.telegram_id)
        .bind(req.leader_address.as_str())
        .bind(req.mode.as_str())
        .bind(req.amount)
        .bind(req.max_per_trade)
        .bind(req.slippage_bps)
        .bind(idempotency_key)
        .bind(request_hash)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        row.map(TryInto::try_into).transpose()
    }

    pub async fn allocation(&self, id: Uuid) -> Result<Option<Allocation>> {
        let row: Option<AllocationRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {ALLOCATION_COLUMNS} FROM allocations WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    pub async fn allocation_by_key(
        &self,
        key: &str,
    ) -> Result<Option<(Allocation, Option<String>)>> {
        let row: Option<(Uuid, Option<String>)> =
            sqlx::query_as("SELECT id, request_hash FROM allocations WHERE idempotency_key = $1")
                .bind(key)
                .fetch_optional(self.pool)
                .await?;
        match row {
            Some((id, hash)) => Ok(self.allocation(id).await?.map(|a| (a, hash))),
            None => Ok(None),
        }
    }

    pub async fn allocations_for_user(
        &self,
        telegram_id: i64,
        active: Option<bool>,
    ) -> Result<Vec<Allocation>> {
        let rows: Vec<AllocationRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {ALLOCATION_COLUMNS} FROM allocations WHERE telegram_id = $1 AND ($2::bool IS NULL OR active = $2)
             ORDER BY created_at DESC, id"
        )))
        .bind(telegram_id)
        .bind(active)
        .fetch_all(self.pool)
        .await?;
        convert(rows)
    }

    pub async fn active_allocations_for(&self, leader: &LeaderAddress) -> Result<Vec<Allocation>> {
        let rows: Vec<AllocationRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {ALLOCATION_COLUMNS} FROM allocations WHERE leader_address = $1 AND active ORDER BY id"
        )))
        .bind(leader.as_str())
        .fetch_all(self.pool)
        .await?;
        convert(rows)
    }

    /// Stops an active allocation; `None` when it was already stopped.
    pub async fn stop_allocation(&self, id: Uuid) -> Result<Option<Allocation>> {
        let row: Option<AllocationRow> = sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE allocations SET active = false, stopped_at = now() WHERE id = $1 AND active
             RETURNING {ALLOCATION_COLUMNS}"
        )))
        .bind(id)
        .fetch_optional(self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// Leaders that at least one active allocation follows.
    pub async fn watched_addresses(&self) -> Result<Vec<WatchedAddress>> {
        let rows: Vec<WatchedRow> = sqlx::query_as(
            "SELECT a.leader_address AS address, count(*) AS followers, bool_or(l.has_webhook) AS has_webhook
             FROM allocations a JOIN leaders l ON l.address = a.leader_address
             WHERE a.active GROUP BY a.leader_address ORDER BY a.leader_address",
        )
        .fetch_all(self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(WatchedAddress {
                    address: address(r.address)?,
                    followers: r.followers,
                    has_webhook: r.has_webhook,
                })
            })
            .collect()
    }

    /// Records why an allocation did not copy a trade (first reason wins).
    pub async fn record_skip(
        &self,
        allocation_id: Uuid,
        leader_trade_id: Uuid,
        reason: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO copy_skips (allocation_id, leader_trade_id, reason) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(allocation_id)
        .bind(leader_trade_id)
        .bind(reason)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Skip reasons recorded for a trade, by allocation.
    pub async fn skips_for_trade(&self, leader_trade_id: Uuid) -> Result<Vec<(Uuid, String)>> {
        Ok(sqlx::query_as(
            "SELECT allocation_id, reason FROM copy_skips WHERE leader_trade_id = $1 ORDER BY allocation_id",
        )
        .bind(leader_trade_id)
        .fetch_all(self.pool)
        .await?)
    }
}
