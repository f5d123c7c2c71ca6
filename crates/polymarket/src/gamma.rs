//! Gamma, the market catalogue: `GET /markets/keyset?limit=&cursor=` pages of markets
//! (`{"markets": [...], "next_cursor": "..."}`, no cursor on the last page).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use ts_core::market::{MarketUpsert, Outcome};

use crate::Result;
use crate::http::Endpoint;
use crate::num::lenient_decimal;

/// Gamma's page size limit.
pub const MAX_PAGE: u32 = 100;
/// A guard against a server that keeps handing out cursors (10,000 pages of 100).
const MAX_PAGES: usize = 10_000;

/// A Gamma market. `outcomes`, `outcomePrices` and `clobTokenIds` are JSON arrays
/// encoded as strings, paired by index; read them with the methods below.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GammaMarket {
    pub id: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub condition_id: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub outcomes: Option<String>,
    #[serde(default)]
    pub outcome_prices: Option<String>,
    #[serde(default)]
    pub clob_token_ids: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub closed: bool,
    /// A string on markets ("11010561.19"); `volumeNum` is the same as a number.
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub volume: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub liquidity: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub volume_num: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub liquidity_num: Option<Decimal>,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub enable_order_book: Option<bool>,
    #[serde(default)]
    pub accepting_orders: Option<bool>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub best_bid: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub best_ask: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub last_trade_price: Option<Decimal>,
}

/// One keyset page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GammaPage {
    #[serde(default)]
    pub markets: Vec<GammaMarket>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

impl GammaMarket {
    pub fn outcome_names(&self) -> Vec<String> {
        string_array(self.outcomes.as_deref())
    }

    pub fn token_ids(&self) -> Vec<String> {
        string_array(self.clob_token_ids.as_deref())
    }

    /// Prices by outcome index; an unparsable one is `None`.
    pub fn outcome_prices(&self) -> Vec<Option<Decimal>> {
        string_array(self.outcome_prices.as_deref())
            .iter()
            .map(|p| p.parse().ok())
            .collect()
    }

    /// What the store keeps of it; `None` for a market without CLOB tokens (it cannot
    /// be traded, priced or streamed).
    pub fn to_upsert(&self) -> Option<MarketUpsert> {
        let names = self.outcome_names();
        let tokens = self.token_ids();
        if tokens.is_empty() || tokens.len() != names.len() {
            return None;
        }
        let prices = self.outcome_prices();
        let outcomes = names
            .into_iter()
            .zip(tokens)
            .enumerate()
            .map(|(i, (name, token_id))| Outcome {
                name,
                token_id,
                price: prices.get(i).copied().flatten(),
            })
            .collect();
        Some(MarketUpsert {
            id: self.id.clone(),
            question: self.question.clone(),
            slug: self.slug.clone(),
            condition_id: self.condition_id.clone(),
            active: self.active,
            closed: self.closed,
            volume: self.volume.or(self.volume_num).unwrap_or_default(),
            liquidity: self.liquidity.or(self.liquidity_num).unwrap_or_default(),
            end_date: self
                .end_date
                .as_deref()
                .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
                .map(|d| d.with_timezone(&Utc)),
            outcomes,
        })
    }
}

/// `"[\"Yes\", \"No\"]"` -> `["Yes", "No"]`; anything else -> empty.
fn string_array(raw: Option<&str>) -> Vec<String> {
    raw.and_then(|s| serde_json::from_str::<Vec<serde_json::Value>>(s).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| match v {
            serde_json::Value::String(s) => Some(s),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// Client of the Gamma API.
#[derive(Debug, Clone)]
pub struct GammaClient {
    endpoint: Endpoint,
}

impl GammaClient {
    pub fn new(base_url: &str) -> Result<Self> {
        Ok(Self {
            endpoint: Endpoint::new(base_url)?,
        })
    }

    /// One page of open markets (`closed=false`), at most [`MAX_PAGE`].
    pub async fn markets_page(&self, limit: u32, cursor: Option<&str>) -> Result<GammaPage> {
        let mut query = vec![
            ("limit", limit.clamp(1, MAX_PAGE).to_string()),
            ("closed", "false".to_owned()),
        ];
        if let Some(cursor) = cursor {
            query.push(("cursor", cursor.to_owned()));
        }
        self.endpoint.get("markets/keyset", &query).await
    }

    /// Every open, active market, page after page until the cursor runs out. A cursor
    /// seen twice ends the walk (the API was reported to ignore cursors at times).
    pub async fn active_markets(&self) -> Result<Vec<GammaMarket>> {
        let mut markets = Vec::new();
        let mut seen_cursors = HashSet::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.markets_page(MAX_PAGE, cursor.as_deref()).await?;
            markets.extend(page.markets.into_iter().filter(|m| m.active && !m.closed));
            match page.next_cursor.filter(|c| !c.is_empty()) {
                Some(next) if seen_cursors.insert(next.clone()) => cursor = Some(next),
                Some(repeated) => {
                    tracing::warn!(cursor = %repeated, "gamma repeated a cursor; stopping the walk");
                    break;
                }
                None => return Ok(markets),
            }
        }
        Ok(markets)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    const SAMPLE: &str = r#"{"id":"12345","question":"Will it rain?","conditionId":"0xabc","slug":"rain",
        "outcomes":"[\"Yes\", \"No\"]","outcomePrices":"[\"0.53\", \"0.47\"]","clobTokenIds":"[\"7132\", \"5211\"]",
        "active":true,"closed":false,"volume":"11010561.19","liquidity":"110917.70","volumeNum":11010561.19,
        "liquidityNum":110917.7,"endDate":"2025-12-31T12:00:00Z","enableOrderBook":true,"acceptingOrders":true,
        "orderPriceMinTickSize":0.01,"orderMinSize":5,"negRisk":false,"bestBid":0.52,"bestAsk":0.54,
        "lastTradePrice":0.53,"spread":0.02,"volume24hr":1234.5,"questionID":"0x1"}"#;

    #[test]
    fn a_documented_market_becomes_an_upsert() {
        let m: GammaMarket = serde_json::from_str(SAMPLE).unwrap();
        assert_eq!(m.best_bid, Some(dec!(0.52)));
        let u = m.to_upsert().unwrap();
        assert_eq!(u.id, "12345");
        assert_eq!(u.volume, dec!(11010561.19));
        assert_eq!(u.liquidity, dec!(110917.70));
        assert_eq!(u.outcomes.len(), 2);
        assert_eq!(u.outcomes[1].name, "No");
        assert_eq!(u.outcomes[1].token_id, "5211");
        assert_eq!(u.outcomes[1].price, Some(dec!(0.47)));
        assert_eq!(
            u.end_date.unwrap().to_rfc3339(),
            "2025-12-31T12:00:00+00:00"
        );
    }

    #[test]
    fn markets_without_tokens_are_not_stored() {
        let m: GammaMarket =
            serde_json::from_str(r#"{"id":"1","outcomes":"[\"Yes\",\"No\"]","volume":""}"#)
                .unwrap();
        assert_eq!(m.volume, None);
        assert!(m.to_upsert().is_none());
    }

    #[test]
    fn pages_without_a_cursor_are_last() {
        let p: GammaPage = serde_json::from_str(r#"{"markets":[]}"#).unwrap();
        assert!(p.next_cursor.is_none());
    }
}
