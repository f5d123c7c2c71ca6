use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PositionStatus {
    Open,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PositionSource {
    Manual,
    Smart,
    Copy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    Manual,
    TakeProfit,
    StopLoss,
    Copy,
}

macro_rules! str_enum {
    ($t:ty { $($v:ident => $s:literal),+ $(,)? }) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
        }
        impl std::str::FromStr for $t {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok(Self::$v),)+
                    other => Err(ValidationError::new(format!(
                        "'{other}' is not one of: {}", [$($s),+].join(", ")
                    ))),
                }
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use str_enum;

str_enum!(PositionStatus { Open => "open", Closed => "closed" });
str_enum!(PositionSource { Manual => "manual", Smart => "smart", Copy => "copy" });
str_enum!(CloseReason { Manual => "manual", TakeProfit => "take_profit", StopLoss => "stop_loss", Copy => "copy" });

/// A paper or live position in one outcome token. Prices are per share (0..1 USDC);
/// `amount` is the USDC spent and `size` the shares bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Position {
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
    pub status: PositionStatus,
    pub source: PositionSource,
    pub close_reason: Option<CloseReason>,
    pub realized_pnl: Option<Decimal>,
    /// Present on open positions when a current price is known.
    pub current_price: Option<Decimal>,
    pub unrealized_pnl: Option<Decimal>,
    pub allocation_id: Option<Uuid>,
    pub leader_trade_id: Option<Uuid>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Position {
    /// Fills in `current_price` and `unrealized_pnl` for an open position.
    pub fn with_mark(mut self, price: Option<Decimal>) -> Self {
        if self.status == PositionStatus::Open {
            self.current_price = price;
            self.unrealized_pnl = price.map(|p| pnl(self.size, self.entry_price, p));
        }
        self
    }

    /// Which threshold, if any, a price crosses for this open position.
    pub fn trigger_at(&self, price: Decimal) -> Option<CloseReason> {
        tpsl_trigger(self.take_profit, self.stop_loss, price)
    }
}

/// `POST /positions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenPositionRequest {
    pub telegram_id: i64,
    pub market_id: String,
    /// Outcome name (e.g. "Yes") or its CLOB token id.
    pub outcome: String,
    /// USDC to spend.
    pub amount: Decimal,
    #[serde(default)]
    pub take_profit: Option<Decimal>,
    #[serde(default)]
    pub stop_loss: Option<Decimal>,
    #[serde(default = "default_source")]
    pub source: PositionSource,
    #[serde(default)]
    pub allocation_id: Option<Uuid>,
    #[serde(default)]
    pub leader_trade_id: Option<Uuid>,
    /// Refuse the fill (409 `price_moved`) when the price is above this.
    #[serde(default)]
    pub max_price: Option<Decimal>,
}

fn default_source() -> PositionSource {
    PositionSource::Manual
}

/// `POST /positions/{id}/close`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosePositionRequest {
    pub telegram_id: i64,
    #[serde(default = "default_reason")]
    pub reason: CloseReason,
}

fn default_reason() -> CloseReason {
    CloseReason::Manual
}

/// `PATCH /positions/{id}`: a missing field is left alone, `null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTpSlRequest {
    pub telegram_id: i64,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub take_profit: Option<Option<Decimal>>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    pub stop_loss: Option<Option<Decimal>>,
}

fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

pub const MIN_AMOUNT: Decimal = Decimal::ONE;
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// A price must lie strictly between 0 and 1 (outcome shares pay 1 USDC at most).
pub fn validate_price(name: &str, p: Decimal) -> Result<Decimal, ValidationError> {
    if p <= Decimal::ZERO || p >= Decimal::ONE {
        return Err(ValidationError::new(format!(
            "{name} must be a price strictly between 0 and 1, got {p}"
        )));
    }
    Ok(p)
}

pub fn validate_amount(amount: Decimal) -> Result<Decimal, ValidationError> {
    if amount < MIN_AMOUNT || amount > MAX_AMOUNT {
        return Err(ValidationError::new(format!(
            "amount must be between {MIN_AMOUNT} and {MAX_AMOUNT} USDC, got {amount}"
        )));
    }
    Ok(amount)
}

/// TP must sit above the entry price and SL below it, or the position would close at once.
pub fn validate_tpsl(
    entry: Decimal,
    take_profit: Option<Decimal>,
    stop_loss: Option<Decimal>,
) -> Result<(), ValidationError> {
    if let Some(tp) = take_profit {
        validate_price("take_profit", tp)?;
        if tp <= entry {
            return Err(ValidationError::new(format!(
                "take_profit {tp} must be above the entry price {entry}"
            )));
        }
    }
    if let Some(sl) = stop_loss {
        validate_price("stop_loss", sl)?;
        if sl >= entry {
            return Err(ValidationError::new(format!(
                "stop_loss {sl} must be below the entry price {entry}"
            )));
        }
    }
    Ok(())
}

impl OpenPositionRequest {
    pub fn validate(&self) -> Result<(), ValidationError> {
        crate::user::validate_telegram_id(self.telegram_id)?;
        if self.market_id.trim().is_empty() {
            return Err(ValidationError::new("market_id must not be empty"));
        }
        if self.outcome.trim().is_empty() {
            return Err(ValidationError::new("outcome must not be empty"));
        }
        validate_amount(self.amount)?;
        if let Some(tp) = self.take_profit {
            validate_price("take_profit", tp)?;
        }
        if let Some(sl) = self.stop_loss {
            validate_price("stop_loss", sl)?;
        }
        if let (Some(tp), Some(sl)) = (self.take_profit, self.stop_loss)
            && sl >= tp
        {
            return Err(ValidationError::new("stop_loss must be below take_profit"));
        }
        if let Some(max) = self.max_price {
            validate_price("max_price", max)?;
        }
        Ok(())
    }
}

/// Shares bought for `amount` USDC at `price`, to 6 decimals like the CLOB.
pub fn shares_for(amount: Decimal, price: Decimal) -> Decimal {
    (amount / price).round_dp(6)
}

/// Profit or loss of `size` shares bought at `entry` and marked at `price`.
pub fn pnl(size: Decimal, entry: Decimal, price: Decimal) -> Decimal {
    (size * (price - entry)).round_dp(6)
}

/// TP fires at or above its price, SL at or below; TP wins if both somehow cross.
pub fn tpsl_trigger(
    take_profit: Option<Decimal>,
    stop_loss: Option<Decimal>,
    price: Decimal,
) -> Option<CloseReason> {
    if take_profit.is_some_and(|tp| price >= tp) {
        Some(CloseReason::TakeProfit)
    } else if stop_loss.is_some_and(|sl| price <= sl) {
        Some(CloseReason::StopLoss)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn pnl_and_shares() {
        let size = shares_for(dec!(10), dec!(0.5));
        assert_eq!(size, dec!(20));
        assert_eq!(pnl(size, dec!(0.5), dec!(0.6)), dec!(2));
        assert_eq!(pnl(size, dec!(0.5), dec!(0.4)), dec!(-2));
    }

    #[test]
    fn triggers() {
        assert_eq!(
            tpsl_trigger(Some(dec!(0.7)), None, dec!(0.7)),
            Some(CloseReason::TakeProfit)
        );
        assert_eq!(
            tpsl_trigger(None, Some(dec!(0.3)), dec!(0.29)),
            Some(CloseReason::StopLoss)
        );
        assert_eq!(
            tpsl_trigger(Some(dec!(0.7)), Some(dec!(0.3)), dec!(0.5)),
            None
        );
    }

    #[test]
    fn tpsl_must_bracket_entry() {
        assert!(validate_tpsl(dec!(0.5), Some(dec!(0.6)), Some(dec!(0.4))).is_ok());
        assert!(validate_tpsl(dec!(0.5), Some(dec!(0.4)), None).is_err());
        assert!(validate_tpsl(dec!(0.5), None, Some(dec!(0.55))).is_err());
        assert!(validate_tpsl(dec!(0.5), Some(dec!(1.2)), None).is_err());
    }

    #[test]
    fn patch_distinguishes_missing_from_null() {
        let r: UpdateTpSlRequest =
            serde_json::from_str(r#"{"telegram_id":1,"take_profit":null}"#).unwrap();
        assert_eq!(r.take_profit, Some(None));
        assert_eq!(r.stop_loss, None);
    }

    #[test]
    fn amounts_accept_numbers_and_strings() {
        for body in [
            r#"{"telegram_id":1,"market_id":"m","outcome":"Yes","amount":10}"#,
            r#"{"telegram_id":1,"market_id":"m","outcome":"Yes","amount":"10"}"#,
        ] {
            let r: OpenPositionRequest = serde_json::from_str(body).unwrap();
            assert_eq!(r.amount, dec!(10));
        }
    }
}
