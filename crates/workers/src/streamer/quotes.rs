//! The price of a token from its market events. For paper fills and marks the price is
//! the midpoint of best bid and best ask when both are known and the spread is at most
//! ten cents; otherwise the last trade price (as Polymarket's own pages show it), and
//! the wide midpoint only when no trade is known yet.

use std::collections::HashMap;

use polymarket::clob;
use polymarket::ws::MarketEvent;
use rust_decimal::Decimal;
use ts_core::market::PriceTick;

/// Above this spread the midpoint says little about where the market trades.
pub const MAX_MID_SPREAD: Decimal = Decimal::from_parts(10, 0, 0, false, 2);

#[derive(Debug, Default, Clone, PartialEq)]
struct Quote {
    bid: Option<Decimal>,
    ask: Option<Decimal>,
    last_trade: Option<Decimal>,
    /// The price last written, so unchanged prices are not written again.
    written: Option<Decimal>,
}

impl Quote {
    fn price(&self) -> Option<Decimal> {
        let mid = match (self.bid, self.ask) {
            (Some(bid), Some(ask)) if ask >= bid => Some(((bid + ask) / Decimal::TWO).normalize()),
            _ => None,
        };
        let tight = self
            .bid
            .zip(self.ask)
            .is_some_and(|(b, a)| a - b <= MAX_MID_SPREAD);
        match (mid, self.last_trade) {
            (Some(mid), _) if tight => Some(mid),
            (_, Some(last)) => Some(last),
            (mid, None) => mid,
        }
        // Prices of outcome tokens live strictly between 0 and 1.
        .filter(|p| *p > Decimal::ZERO && *p < Decimal::ONE)
    }
}

/// Book state per token.
#[derive(Debug, Default)]
pub struct Quotes {
    by_token: HashMap<String, Quote>,
}

impl Quotes {
    /// Applies one event; returns the ticks of the tokens whose price changed.
    pub fn apply(&mut self, event: &MarketEvent, at_ms: i64) -> Vec<PriceTick> {
        let mut touched: Vec<&str> = Vec::new();
        match event {
            MarketEvent::Book(b) => {
                let q = self.by_token.entry(b.asset_id.clone()).or_default();
                q.bid = clob::best_bid(&b.bids);
                q.ask = clob::best_ask(&b.asks);
                touched.push(&b.asset_id);
            }
            MarketEvent::PriceChange(c) => {
                for change in &c.price_changes {
                    let q = self.by_token.entry(change.asset_id.clone()).or_default();
                    // Older servers omit the best levels: then nothing is known to change.
                    if change.best_bid.is_some() || change.best_ask.is_some() {
                        q.bid = change.best_bid;
                        q.ask = change.best_ask;
                        touched.push(&change.asset_id);
                    }
                }
            }
            MarketEvent::BestBidAsk(b) => {
                let q = self.by_token.entry(b.asset_id.clone()).or_default();
                q.bid = b.best_bid;
                q.ask = b.best_ask;
                touched.push(&b.asset_id);
            }
            MarketEvent::LastTradePrice(t) => {
                self.by_token
                    .entry(t.asset_id.clone())
                    .or_default()
                    .last_trade = Some(t.price);
                touched.push(&t.asset_id);
            }
            MarketEvent::TickSizeChange(_) | MarketEvent::MarketResolved(_) => {}
        }
        let mut ticks = Vec::new();
        for token in touched {
            let Some(q) = self.by_token.get_mut(token) else {
                continue;
            };
            let Some(price) = q.price() else { continue };
            if q.written != Some(price) {
                q.written = Some(price);
                ticks.push(PriceTick {
                    token_id: token.to_owned(),
                    price,
                    at_ms,
                });
            }
        }
        ticks
    }
}

#[cfg(test)]
mod tests {
    use polymarket::ws::parse_frame;
    use rust_decimal_macros::dec;

    use super::*;

    fn apply(q: &mut Quotes, frame: &str) -> Vec<(String, Decimal)> {
        parse_frame(frame)
            .iter()
            .flat_map(|e| q.apply(e, 0))
            .map(|t| (t.token_id, t.price))
            .collect()
    }

    #[test]
    fn midpoint_then_last_trade_when_the_spread_is_wide() {
        let mut q = Quotes::default();
        let book = r#"[{"event_type":"book","asset_id":"1","bids":[{"price":"0.48","size":"1"},{"price":"0.50","size":"1"}],
            "asks":[{"price":"0.56","size":"1"},{"price":"0.54","size":"1"}]}]"#;
        assert_eq!(apply(&mut q, book), vec![("1".to_string(), dec!(0.52))]);
        // Same book again: nothing written.
        assert!(apply(&mut q, book).is_empty());
        let wide = r#"{"event_type":"price_change","price_changes":[{"asset_id":"1","price":"0.1","best_bid":"0.1","best_ask":"0.9"}]}"#;
        // No trade known yet: the wide midpoint is all there is (unchanged 0.5 -> written).
        assert_eq!(apply(&mut q, wide), vec![("1".to_string(), dec!(0.5))]);
        let trade = r#"{"event_type":"last_trade_price","asset_id":"1","price":"0.61"}"#;
        assert_eq!(apply(&mut q, trade), vec![("1".to_string(), dec!(0.61))]);
        let tight = r#"{"event_type":"price_change","price_changes":[{"asset_id":"1","price":"0.7","best_bid":"0.69","best_ask":"0.71"}]}"#;
        assert_eq!(apply(&mut q, tight), vec![("1".to_string(), dec!(0.7))]);
    }
}
