//! CLOB REST market data: `GET /price`, `/midpoint` and `/book`. Prices come as strings
//! or numbers; book levels are ordered so that the best is last, which this client does
//! not rely on.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::http::Endpoint;
use crate::num::{lenient_decimal, required_decimal};
use crate::{PolymarketError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "BUY",
            Self::Sell => "SELL",
        }
    }
}

/// One price level.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Level {
    #[serde(deserialize_with = "required_decimal")]
    pub price: Decimal,
    #[serde(deserialize_with = "required_decimal")]
    pub size: Decimal,
}

/// `GET /book?token_id=`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderBook {
    #[serde(default)]
    pub market: String,
    pub asset_id: String,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub hash: Option<String>,
    #[serde(default)]
    pub bids: Vec<Level>,
    #[serde(default)]
    pub asks: Vec<Level>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub min_order_size: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub tick_size: Option<Decimal>,
    #[serde(default)]
    pub neg_risk: Option<bool>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub last_trade_price: Option<Decimal>,
}

impl OrderBook {
    pub fn best_bid(&self) -> Option<Decimal> {
        best_bid(&self.bids)
    }

    pub fn best_ask(&self) -> Option<Decimal> {
        best_ask(&self.asks)
    }
}

/// Highest bid, whatever order the levels come in.
pub fn best_bid(levels: &[Level]) -> Option<Decimal> {
    levels.iter().map(|l| l.price).max()
}

/// Lowest ask, whatever order the levels come in.
pub fn best_ask(levels: &[Level]) -> Option<Decimal> {
    levels.iter().map(|l| l.price).min()
}

#[derive(Deserialize)]
struct PriceReply {
    #[serde(deserialize_with = "required_decimal")]
    price: Decimal,
}

#[derive(Deserialize)]
struct MidReply {
    #[serde(deserialize_with = "required_decimal")]
    mid: Decimal,
}

/// Client of the CLOB REST API (public market data only).
#[derive(Debug, Clone)]
pub struct ClobClient {
    endpoint: Endpoint,
}

impl ClobClient {
    pub fn new(base_url: &str) -> Result<Self> {
        Ok(Self {
            endpoint: Endpoint::new(base_url)?,
        })
    }

    /// The best price on one side of the book.
    pub async fn price(&self, token_id: &str, side: Side) -> Result<Decimal> {
        let query = [
            ("token_id", token_id.to_owned()),
            ("side", side.as_str().to_owned()),
        ];
        let reply: PriceReply = self.endpoint.get("price", &query).await?;
        Ok(reply.price)
    }

    /// The midpoint of best bid and best ask.
    pub async fn midpoint(&self, token_id: &str) -> Result<Decimal> {
        let reply: MidReply = self
            .endpoint
            .get("midpoint", &[("token_id", token_id.to_owned())])
            .await?;
        Ok(reply.mid)
    }

    pub async fn book(&self, token_id: &str) -> Result<OrderBook> {
        let book: OrderBook = self
            .endpoint
            .get("book", &[("token_id", token_id.to_owned())])
            .await?;
        if book.asset_id != token_id {
            return Err(PolymarketError::Decode {
                endpoint: "/book".into(),
                reason: format!("asked for {token_id}, got the book of {}", book.asset_id),
            });
        }
        Ok(book)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn book_best_levels_do_not_depend_on_order() {
        let book: OrderBook = serde_json::from_str(
            r#"{"market":"0xc","asset_id":"1","timestamp":"1","hash":"h",
                "bids":[{"price":"0.48","size":"30"},{"price":"0.50","size":"5"}],
                "asks":[{"price":"0.55","size":"10"},{"price":".52","size":"1"}],
                "min_order_size":"5","tick_size":"0.01","neg_risk":false,"last_trade_price":"0.51"}"#,
        )
        .unwrap();
        assert_eq!(book.best_bid(), Some(dec!(0.50)));
        assert_eq!(book.best_ask(), Some(dec!(0.52)));
        assert_eq!(book.last_trade_price, Some(dec!(0.51)));
    }

    #[test]
    fn prices_are_strings_or_numbers() {
        let a: PriceReply = serde_json::from_str(r#"{"price":"0.45"}"#).unwrap();
        let b: PriceReply = serde_json::from_str(r#"{"price":0.45}"#).unwrap();
        assert_eq!(a.price, b.price);
        assert!(serde_json::from_str::<PriceReply>(r#"{"price":""}"#).is_err());
    }
}
