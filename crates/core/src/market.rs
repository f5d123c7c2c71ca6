use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One outcome of a market and its CLOB token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Outcome {
    pub name: String,
    pub token_id: String,
    /// Last known price of the outcome token (0..1), if any.
    pub price: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Market {
    /// Gamma market id.
    pub id: String,
    pub question: String,
    pub slug: String,
    pub condition_id: String,
    pub active: bool,
    pub closed: bool,
    pub volume: Decimal,
    pub liquidity: Decimal,
    pub end_date: Option<DateTime<Utc>>,
    pub outcomes: Vec<Outcome>,
    pub updated_at: DateTime<Utc>,
}

impl Market {
    /// Finds an outcome by name (case-insensitive) or by token id.
    pub fn outcome(&self, name_or_token: &str) -> Option<&Outcome> {
        self.outcomes
            .iter()
            .find(|o| o.token_id == name_or_token || o.name.eq_ignore_ascii_case(name_or_token))
    }
}

/// A page of `GET /markets`; `next_cursor` is absent on the last page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MarketPage {
    pub markets: Vec<Market>,
    pub next_cursor: Option<String>,
}

/// What the workers' poller (or a seed) writes into the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarketUpsert {
    pub id: String,
    pub question: String,
    pub slug: String,
    pub condition_id: String,
    pub active: bool,
    pub closed: bool,
    pub volume: Decimal,
    pub liquidity: Decimal,
    pub end_date: Option<DateTime<Utc>>,
    pub outcomes: Vec<Outcome>,
}

/// One ranked market of `GET /smart-trading/recommendations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Recommendation {
    pub market: Market,
    /// The outcome suggested.
    pub outcome: String,
    pub token_id: String,
    pub price: Decimal,
    pub score: f64,
    /// Why this market ranks here, in words a user reads.
    pub reason: String,
}

/// The price of one outcome token as the streamer writes it at `ts:price:{token_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceTick {
    pub token_id: String,
    pub price: Decimal,
    /// Milliseconds since the Unix epoch.
    pub at_ms: i64,
}
