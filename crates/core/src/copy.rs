//! Copy trading: leaders, their trades, followers' allocations and how a follower's
//! order is sized from a leader's trade.
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::position::str_enum;
use crate::{LeaderAddress, ValidationError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Leader {
    pub address: LeaderAddress,
    pub name: Option<String>,
    pub trades_count: i64,
    /// USDC traded across stored trades.
    pub volume: Decimal,
    pub last_trade_at: Option<DateTime<Utc>>,
    /// Active allocations following this leader.
    pub followers: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SizingMode {
    /// `amount` USDC per leader trade.
    Fixed,
    /// `amount` percent of the leader's USDC size.
    Percent,
}
str_enum!(SizingMode { Fixed => "fixed", Percent => "percent" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Allocation {
    pub id: Uuid,
    pub telegram_id: i64,
    pub leader_address: LeaderAddress,
    pub mode: SizingMode,
    pub amount: Decimal,
    pub max_per_trade: Option<Decimal>,
    /// Skip a copy when the price moved more than this many basis points above the leader's.
    pub slippage_bps: i32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
}

pub const DEFAULT_SLIPPAGE_BPS: i32 = 200;

/// `POST /copy-trading/allocations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAllocationRequest {
    pub telegram_id: i64,
    pub leader_address: LeaderAddress,
    #[serde(default = "default_mode")]
    pub mode: SizingMode,
    pub amount: Decimal,
    #[serde(default)]
    pub max_per_trade: Option<Decimal>,
    #[serde(default = "default_slippage")]
    pub slippage_bps: i32,
}

fn default_mode() -> SizingMode {
    SizingMode::Fixed
}
fn default_slippage() -> i32 {
    DEFAULT_SLIPPAGE_BPS
}

impl CreateAllocationRequest {
    pub fn validate(&self) -> Result<(), ValidationError> {
        crate::user::validate_telegram_id(self.telegram_id)?;
        match self.mode {
            SizingMode::Fixed => {
                crate::position::validate_amount(self.amount)?;
            }
            SizingMode::Percent => {
                if self.amount <= Decimal::ZERO || self.amount > Decimal::ONE_HUNDRED {
                    return Err(ValidationError::new(format!(
                        "amount must be a percent in (0, 100] for mode percent, got {}",
                        self.amount
                    )));
                }
            }
        }
        if let Some(max) = self.max_per_trade {
            crate::position::validate_amount(max)
                .map_err(|e| ValidationError::new(format!("max_per_trade: {e}")))?;
        }
        if !(0..=5_000).contains(&self.slippage_bps) {
            return Err(ValidationError::new(
                "slippage_bps must be between 0 and 5000",
            ));
        }
        Ok(())
    }
}

/// `DELETE /copy-trading/allocations/{id}?telegram_id=`: only the owner may stop it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, utoipa::IntoParams)]
pub struct OwnerQuery {
    pub telegram_id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum TradeSide {
    Buy,
    Sell,
}
str_enum!(TradeSide { Buy => "BUY", Sell => "SELL" });

/// A leader's trade as the indexer webhook and the Data API `/activity` send it
/// (camelCase, Polymarket's field names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IncomingTrade {
    pub proxy_wallet: LeaderAddress,
    pub transaction_hash: String,
    /// The outcome token id traded.
    pub asset: String,
    #[serde(default)]
    pub condition_id: String,
    pub side: TradeSide,
    #[serde(default)]
    pub size: Option<Decimal>,
    pub price: Decimal,
    #[serde(default)]
    pub usdc_size: Option<Decimal>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub outcome_index: Option<i32>,
    #[serde(default)]
    pub title: Option<String>,
    /// Seconds since the Unix epoch.
    pub timestamp: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub pseudonym: Option<String>,
}

impl IncomingTrade {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let hash = self.transaction_hash.trim();
        if !hash.starts_with("0x") || hash.len() < 10 || hash.len() > 80 {
            return Err(ValidationError::new(
                "transactionHash must be a 0x-prefixed hash",
            ));
        }
        if self.asset.trim().is_empty() || self.asset.len() > 100 {
            return Err(ValidationError::new("asset must be a token id"));
        }
        crate::position::validate_price("price", self.price)?;
        Ok(())
    }

    /// USDC of the trade: `usdcSize` when given, else size × price.
    pub fn usdc(&self) -> Decimal {
        self.usdc_size
            .or_else(|| self.size.map(|s| s * self.price))
            .unwrap_or_default()
    }
}

/// `POST /webhooks/indexer` body: one trade, a list, or `{"trades": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum WebhookPayload {
    Wrapped { trades: Vec<IncomingTrade> },
    Many(Vec<IncomingTrade>),
    One(Box<IncomingTrade>),
}

impl WebhookPayload {
    pub fn into_trades(self) -> Vec<IncomingTrade> {
        match self {
            Self::Wrapped { trades } | Self::Many(trades) => trades,
            Self::One(t) => vec![*t],
        }
    }
}

/// A stored leader trade, unique per (transaction hash, asset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeaderTrade {
    pub id: Uuid,
    pub leader_address: LeaderAddress,
    pub transaction_hash: String,
    pub asset: String,
    pub condition_id: String,
    pub side: TradeSide,
    pub size: Decimal,
    pub price: Decimal,
    pub usdc_size: Decimal,
    pub outcome: Option<String>,
    pub outcome_index: Option<i32>,
    pub title: Option<String>,
    pub traded_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// What `POST /webhooks/indexer` answers: how many trades were new.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookReceipt {
    pub received: usize,
    pub stored: usize,
    pub duplicates: usize,
}

/// The entry appended to `ts:stream:leader-trades`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaderTradeMessage {
    pub trade: LeaderTrade,
    /// W3C trace context of the request that stored the trade.
    pub traceparent: Option<String>,
}

/// A leader address the workers must follow, and whether an indexer webhook covers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WatchedAddress {
    pub address: LeaderAddress,
    pub followers: i64,
    pub has_webhook: bool,
}

/// USDC a follower spends copying `trade`, or why the copy is skipped.
pub fn copy_amount(alloc: &Allocation, trade: &LeaderTrade) -> Result<Decimal, String> {
    if trade.side != TradeSide::Buy {
        return Err("leader sold: only buys open follower positions".into());
    }
    let raw = match alloc.mode {
        SizingMode::Fixed => alloc.amount,
        SizingMode::Percent => (trade.usdc_size * alloc.amount / Decimal::ONE_HUNDRED).round_dp(6),
    };
    let capped = alloc.max_per_trade.map_or(raw, |max| raw.min(max));
    if capped < crate::position::MIN_AMOUNT {
        return Err(format!(
            "copy size {capped} USDC is below the minimum of {}",
            crate::position::MIN_AMOUNT
        ));
    }
    Ok(capped)
}

/// Highest price a follower accepts: the leader's price plus the allocation's slippage.
pub fn max_copy_price(alloc: &Allocation, leader_price: Decimal) -> Decimal {
    let bump = leader_price * Decimal::from(alloc.slippage_bps) / Decimal::from(10_000);
    (leader_price + bump).min(Decimal::new(999, 3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn alloc(mode: SizingMode, amount: Decimal, max: Option<Decimal>) -> Allocation {
        Allocation {
            id: Uuid::nil(),
            telegram_id: 1,
            leader_address: LeaderAddress::parse(&format!("0x{}", "a".repeat(40))).unwrap(),
            mode,
            amount,
            max_per_trade: max,
            slippage_bps: 200,
            active: true,
            created_at: Utc::now(),
            stopped_at: None,
        }
    }

    fn trade(side: TradeSide, usdc: Decimal) -> LeaderTrade {
        LeaderTrade {
            id: Uuid::nil(),
            leader_address: LeaderAddress::parse(&format!("0x{}", "a".repeat(40))).unwrap(),
            transaction_hash: "0xabc".into(),
            asset: "1".into(),
            condition_id: "0xc".into(),
            side,
            size: usdc * dec!(2),
            price: dec!(0.5),
            usdc_size: usdc,
            outcome: Some("No".into()),
            outcome_index: Some(1),
            title: None,
            traded_at: Utc::now(),
            received_at: Utc::now(),
        }
    }

    #[test]
    fn sizing() {
        let t = trade(TradeSide::Buy, dec!(200));
        assert_eq!(
            copy_amount(&alloc(SizingMode::Fixed, dec!(25), None), &t),
            Ok(dec!(25))
        );
        assert_eq!(
            copy_amount(&alloc(SizingMode::Percent, dec!(10), None), &t),
            Ok(dec!(20))
        );
        assert_eq!(
            copy_amount(&alloc(SizingMode::Percent, dec!(10), Some(dec!(5))), &t),
            Ok(dec!(5))
        );
        assert!(copy_amount(&alloc(SizingMode::Percent, dec!(0.1), None), &t).is_err());
        assert!(
            copy_amount(
                &alloc(SizingMode::Fixed, dec!(5), None),
                &trade(TradeSide::Sell, dec!(9))
            )
            .is_err()
        );
    }

    #[test]
    fn slippage_cap() {
        let a = alloc(SizingMode::Fixed, dec!(5), None);
        assert_eq!(max_copy_price(&a, dec!(0.5)), dec!(0.51));
        assert_eq!(max_copy_price(&a, dec!(0.99)), dec!(0.999));
    }

    #[test]
    fn webhook_shapes() {
        let one = format!(
            r#"{{"proxyWallet":"0x{}","transactionHash":"0xdeadbeef00","asset":"123","side":"BUY","size":10,"price":0.5,"timestamp":1700000000}}"#,
            "b".repeat(40)
        );
        let wrapped = format!(r#"{{"trades":[{one}]}}"#);
        let many = format!("[{one},{one}]");
        assert_eq!(
            serde_json::from_str::<WebhookPayload>(&one)
                .unwrap()
                .into_trades()
                .len(),
            1
        );
        assert_eq!(
            serde_json::from_str::<WebhookPayload>(&wrapped)
                .unwrap()
                .into_trades()
                .len(),
            1
        );
        assert_eq!(
            serde_json::from_str::<WebhookPayload>(&many)
                .unwrap()
                .into_trades()
                .len(),
            2
        );
    }
}
