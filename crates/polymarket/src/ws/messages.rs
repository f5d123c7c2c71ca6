//! Events of the market channel. A frame holds one JSON object or a JSON array of them
//! (the initial dump); an element of an unknown type or shape is skipped, not fatal.

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::clob::Level;
use crate::num::{lenient_decimal, required_decimal};

/// Full book of one asset (on subscribe, and after a trade).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BookEvent {
    pub asset_id: String,
    #[serde(default)]
    pub market: String,
    #[serde(default)]
    pub bids: Vec<Level>,
    #[serde(default)]
    pub asks: Vec<Level>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub hash: Option<String>,
}

/// One changed level, with the asset's best bid and ask after the change.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PriceChange {
    pub asset_id: String,
    #[serde(deserialize_with = "required_decimal")]
    pub price: Decimal,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub size: Option<Decimal>,
    #[serde(default)]
    pub side: Option<String>,
    #[serde(default)]
    pub hash: Option<String>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub best_bid: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub best_ask: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PriceChangeEvent {
    #[serde(default)]
    pub market: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub price_changes: Vec<PriceChange>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LastTradePrice {
    pub asset_id: String,
    #[serde(default)]
    pub market: String,
    #[serde(deserialize_with = "required_decimal")]
    pub price: Decimal,
    #[serde(default)]
    pub side: Option<String>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub size: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub fee_rate_bps: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub timestamp: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TickSizeChange {
    pub asset_id: String,
    #[serde(default)]
    pub market: String,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub old_tick_size: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub new_tick_size: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub timestamp: Option<String>,
}

/// Custom feature: the top of the book changed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BestBidAsk {
    pub asset_id: String,
    #[serde(default)]
    pub market: String,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub best_bid: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub best_ask: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_decimal")]
    pub spread: Option<Decimal>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub timestamp: Option<String>,
}

/// Custom feature: a market was resolved.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MarketResolved {
    #[serde(default)]
    pub market: String,
    #[serde(default)]
    pub winning_asset_id: Option<String>,
    #[serde(default)]
    pub winning_outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MarketEvent {
    Book(BookEvent),
    PriceChange(PriceChangeEvent),
    LastTradePrice(LastTradePrice),
    TickSizeChange(TickSizeChange),
    BestBidAsk(BestBidAsk),
    MarketResolved(MarketResolved),
}

/// The events of one text frame. `PONG` and anything unrecognised yield nothing.
pub fn parse_frame(text: &str) -> Vec<MarketEvent> {
    let text = text.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("PONG") {
        return Vec::new();
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(items)) => items.into_iter().filter_map(event).collect(),
        Ok(one) => event(one).into_iter().collect(),
        Err(e) => {
            tracing::debug!(error = %e, "market frame is not JSON");
            Vec::new()
        }
    }
}

fn event(value: serde_json::Value) -> Option<MarketEvent> {
    let kind = value.get("event_type")?.as_str()?.to_owned();
    let parsed = match kind.as_str() {
        "book" => typed(value).map(MarketEvent::Book),
        "price_change" => typed(value).map(MarketEvent::PriceChange),
        "last_trade_price" => typed(value).map(MarketEvent::LastTradePrice),
        "tick_size_change" => typed(value).map(MarketEvent::TickSizeChange),
        "best_bid_ask" => typed(value).map(MarketEvent::BestBidAsk),
        "market_resolved" => typed(value).map(MarketEvent::MarketResolved),
        _ => return None,
    };
    parsed
        .inspect_err(|e| tracing::debug!(kind, error = %e, "skipping a malformed market event"))
        .ok()
}

fn typed<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(value)
}

/// Timestamps are strings of milliseconds, sometimes numbers.
fn lenient_string<'de, D: Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(de)? {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    #[test]
    fn every_documented_event() {
        let book = r#"{"event_type":"book","asset_id":"1","market":"0xm","bids":[{"price":".48","size":"30"}],
            "asks":[{"price":".52","size":"25"}],"timestamp":"123456789000","hash":"0x0"}"#;
        let change = r#"{"event_type":"price_change","market":"0xm","timestamp":"123","price_changes":[
            {"asset_id":"1","price":"0.5","size":"200","side":"BUY","hash":"h","best_bid":"0.5","best_ask":"1"}]}"#;
        let trade = r#"{"event_type":"last_trade_price","asset_id":"1","market":"0xm","price":"0.456",
            "side":"BUY","size":"219.217767","fee_rate_bps":"0","timestamp":"1750428146322"}"#;
        let tick = r#"{"event_type":"tick_size_change","asset_id":"1","market":"0xm","old_tick_size":"0.01",
            "new_tick_size":"0.001","timestamp":"100000000"}"#;
        let frame = format!("[{book},{change},{trade},{tick}]");
        let events = parse_frame(&frame);
        assert_eq!(events.len(), 4);
        let MarketEvent::Book(b) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(b.bids[0].price, dec!(0.48));
        let MarketEvent::PriceChange(c) = &events[1] else {
            panic!()
        };
        assert_eq!(c.price_changes[0].best_ask, Some(dec!(1)));
        let MarketEvent::LastTradePrice(t) = &events[2] else {
            panic!()
        };
        assert_eq!(t.price, dec!(0.456));
        let MarketEvent::TickSizeChange(k) = &events[3] else {
            panic!()
        };
        assert_eq!(k.new_tick_size, Some(dec!(0.001)));
        // The same object on its own.
        assert_eq!(parse_frame(trade), vec![events[2].clone()]);
    }

    #[test]
    fn unknown_and_malformed_elements_are_skipped() {
        let frame = r#"[{"event_type":"new_thing"},{"event_type":"last_trade_price","asset_id":"1"},
            {"event_type":"last_trade_price","asset_id":"2","price":0.3}, 7]"#;
        let events = parse_frame(frame);
        assert_eq!(events.len(), 1);
        assert!(matches!(&events[0], MarketEvent::LastTradePrice(t) if t.asset_id == "2"));
        assert!(parse_frame("PONG").is_empty());
        assert!(parse_frame("not json").is_empty());
    }
}
