//! Row shapes as Postgres returns them, and their conversion into domain types.
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::FromRow;
use ts_core::LeaderAddress;
use ts_core::copy::{Allocation, LeaderTrade};
use ts_core::position::Position;
use uuid::Uuid;

use crate::StoreError;

fn parse<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, StoreError> {
    raw.parse()
        .map_err(|_| StoreError::Corrupt(format!("{field} has unexpected value '{raw}'")))
}

fn address(raw: &str) -> Result<LeaderAddress, StoreError> {
    LeaderAddress::parse(raw).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[derive(FromRow)]
pub(crate) struct PositionRow {
    pub id: Uuid,
    pub telegram_id: i64,
    pub market_id: String,
    pub market_question: String,
    pub outcome: String,
    pub token_id: String,
    pub amount: Decimal,
    pub size: Decimal,
    pub entry_price: Decimal,
    pub exit_price: Option<Decimal>,
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
    pub status: String,
    pub source: String,
    pub close_reason: Option<String>,
    pub realized_pnl: Option<Decimal>,
    pub allocation_id: Option<Uuid>,
    pub leader_trade_id: Option<Uuid>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Columns of `PositionRow`, for `SELECT {POSITION_COLUMNS} FROM positions p JOIN markets m ...`.
pub(crate) const POSITION_COLUMNS: &str = "p.id, p.telegram_id, p.market_id, m.question AS market_question, \
     p.outcome, p.token_id, p.amount, p.size, p.entry_price, p.exit_price, p.take_profit, p.stop_loss, \
     p.status, p.source, p.close_reason, p.realized_pnl, p.allocation_id, p.leader_trade_id, \
     p.opened_at, p.closed_at";

impl TryFrom<PositionRow> for Position {
    type Error = StoreError;
    fn try_from(r: PositionRow) -> Result<Self, StoreError> {
        Ok(Position {
            id: r.id,
            telegram_id: r.telegram_id,
            market_id: r.market_id,
            market_question: r.market_question,
            outcome: r.outcome,
            token_id: r.token_id,
            amount: r.amount.normalize(),
            size: r.size.normalize(),
            entry_price: r.entry_price.normalize(),
            exit_price: r.exit_price.map(|d| d.normalize()),
            take_profit: r.take_profit.map(|d| d.normalize()),
            stop_loss: r.stop_loss.map(|d| d.normalize()),
            status: parse("status", &r.status)?,
            source: parse("source", &r.source)?,
            close_reason: r
                .close_reason
                .as_deref()
                .map(|c| parse("close_reason", c))
                .transpose()?,
            realized_pnl: r.realized_pnl.map(|d| d.normalize()),
            current_price: None,
            unrealized_pnl: None,
            allocation_id: r.allocation_id,
            leader_trade_id: r.leader_trade_id,
            opened_at: r.opened_at,
            closed_at: r.closed_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct AllocationRow {
    pub id: Uuid,
    pub telegram_id: i64,
    pub leader_address: String,
    pub mode: String,
    pub amount: Decimal,
    pub max_per_trade: Option<Decimal>,
    pub slippage_bps: i32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
}

pub(crate) const ALLOCATION_COLUMNS: &str = "id, telegram_id, leader_address, mode, amount, \
     max_per_trade, slippage_bps, active, created_at, stopped_at";

impl TryFrom<AllocationRow> for Allocation {
    type Error = StoreError;
    fn try_from(r: AllocationRow) -> Result<Self, StoreError> {
        Ok(Allocation {
            id: r.id,
            telegram_id: r.telegram_id,
            leader_address: address(&r.leader_address)?,
            mode: parse("mode", &r.mode)?,
            amount: r.amount.normalize(),
            max_per_trade: r.max_per_trade.map(|d| d.normalize()),
            slippage_bps: r.slippage_bps,
            active: r.active,
            created_at: r.created_at,
            stopped_at: r.stopped_at,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct TradeRow {
    pub id: Uuid,
    pub leader_address: String,
    pub transaction_hash: String,
    pub asset: String,
    pub condition_id: String,
    pub side: String,
    pub size: Decimal,
    pub price: Decimal,
    pub usdc_size: Decimal,
    pub outcome: Option<String>,
    pub outcome_index: Option<i32>,
    pub title: Option<String>,
    pub traded_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

pub(crate) const TRADE_COLUMNS: &str = "id, leader_address, transaction_hash, asset, condition_id, \
     side, size, price, usdc_size, outcome, outcome_index, title, traded_at, received_at";

impl TryFrom<TradeRow> for LeaderTrade {
    type Error = StoreError;
    fn try_from(r: TradeRow) -> Result<Self, StoreError> {
        Ok(LeaderTrade {
            id: r.id,
            leader_address: address(&r.leader_address)?,
            transaction_hash: r.transaction_hash,
            asset: r.asset,
            condition_id: r.condition_id,
            side: parse("side", &r.side)?,
            size: r.size.normalize(),
            price: r.price.normalize(),
            usdc_size: r.usdc_size.normalize(),
            outcome: r.outcome,
            outcome_index: r.outcome_index,
            title: r.title,
            traded_at: r.traded_at,
            received_at: r.received_at,
        })
    }
}

/// Turns rows into domain values, failing on the first corrupt one.
pub(crate) fn convert<R, T>(rows: Vec<R>) -> Result<Vec<T>, StoreError>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}
