//! The Data API: `GET /activity?user=&type=TRADE&limit=&offset=&start=` lists what a
//! wallet did. Copy trading polls it for leaders that no indexer webhook covers.

use serde::Deserialize;
use ts_core::LeaderAddress;
use ts_core::copy::IncomingTrade;

use crate::Result;
use crate::http::Endpoint;

/// The API's page size limit.
pub const MAX_LIMIT: u32 = 500;
/// The API's offset limit.
pub const MAX_OFFSET: u32 = 10_000;

/// One activity row. Trades carry exactly the fields of an indexer webhook trade.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Activity {
    /// `TRADE`, `SPLIT`, `MERGE`, `REDEEM`, `REWARD`, `CONVERSION`...
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    pub trade: IncomingTrade,
}

/// Which page of a wallet's trades to read, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityQuery {
    /// Seconds since the epoch: nothing older.
    pub start: Option<i64>,
    pub limit: u32,
    pub offset: u32,
}

/// Client of the Data API.
#[derive(Debug, Clone)]
pub struct DataClient {
    endpoint: Endpoint,
}

impl DataClient {
    pub fn new(base_url: &str) -> Result<Self> {
        Ok(Self {
            endpoint: Endpoint::new(base_url)?,
        })
    }

    /// One page of a wallet's trades, oldest first.
    pub async fn trades(
        &self,
        user: &LeaderAddress,
        q: &ActivityQuery,
    ) -> Result<Vec<IncomingTrade>> {
        let mut query = vec![
            ("user", user.as_str().to_owned()),
            ("type", "TRADE".to_owned()),
            ("limit", q.limit.clamp(1, MAX_LIMIT).to_string()),
            ("offset", q.offset.min(MAX_OFFSET).to_string()),
            ("sortBy", "TIMESTAMP".to_owned()),
            ("sortDirection", "ASC".to_owned()),
        ];
        if let Some(start) = q.start {
            query.push(("start", start.to_string()));
        }
        let rows: Vec<serde_json::Value> = self.endpoint.get("activity", &query).await?;
        // One odd row must not hide the others: skip what does not decode.
        Ok(rows
            .into_iter()
            .filter_map(|row| match serde_json::from_value::<Activity>(row) {
                Ok(a) if a.kind.eq_ignore_ascii_case("TRADE") => Some(a.trade),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "skipping an undecodable activity row");
                    None
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn a_documented_activity_row_is_a_trade() {
        let row = r#"{"proxyWallet":"0x56687bf447db6ffa42ffe2204a05edaa20f55839","timestamp":1764000000,
            "conditionId":"0xc0","type":"TRADE","size":20,"usdcSize":10.4,"transactionHash":"0xabcdef0123",
            "price":0.52,"asset":"7132","side":"BUY","outcomeIndex":1,"outcome":"No","title":"Rain?",
            "slug":"rain","eventSlug":"weather","name":"whale","pseudonym":"Big-Whale"}"#;
        let a: Activity = serde_json::from_str(row).unwrap();
        assert_eq!(a.kind, "TRADE");
        assert_eq!(a.trade.asset, "7132");
        assert_eq!(a.trade.price, dec!(0.52));
        assert_eq!(a.trade.usdc(), dec!(10.4));
        assert_eq!(a.trade.outcome.as_deref(), Some("No"));
    }
}
