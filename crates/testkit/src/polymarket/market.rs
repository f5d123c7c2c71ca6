//! Markets as a test describes them, rendered in Gamma's format.

use rust_decimal::Decimal;
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct FakeMarket {
    pub id: String,
    pub question: String,
    pub condition_id: String,
    /// `(name, token id, price)`, index-paired as Gamma pairs them.
    pub outcomes: Vec<(String, String, Decimal)>,
    pub active: bool,
    pub closed: bool,
    pub volume: Decimal,
}

impl FakeMarket {
    /// An open Yes/No market; No is priced `1 - yes_price`.
    pub fn binary(
        id: &str,
        question: &str,
        yes_token: &str,
        no_token: &str,
        yes_price: Decimal,
    ) -> Self {
        Self {
            id: id.to_owned(),
            question: question.to_owned(),
            condition_id: format!("0x{id:0>64}"),
            outcomes: vec![
                ("Yes".into(), yes_token.to_owned(), yes_price),
                ("No".into(), no_token.to_owned(), Decimal::ONE - yes_price),
            ],
            active: true,
            closed: false,
            volume: Decimal::from(100_000),
        }
    }

    pub fn closed(mut self) -> Self {
        self.active = false;
        self.closed = true;
        self
    }

    /// Gamma's JSON: outcome arrays as strings, volume a string and a number.
    pub(crate) fn to_gamma(&self) -> Value {
        let names: Vec<&str> = self.outcomes.iter().map(|o| o.0.as_str()).collect();
        let tokens: Vec<&str> = self.outcomes.iter().map(|o| o.1.as_str()).collect();
        let prices: Vec<String> = self.outcomes.iter().map(|o| o.2.to_string()).collect();
        let slug = self
            .question
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
        json!({
            "id": self.id,
            "question": self.question,
            "conditionId": self.condition_id,
            "slug": slug,
            "outcomes": serde_json::to_string(&names).unwrap_or_default(),
            "outcomePrices": serde_json::to_string(&prices).unwrap_or_default(),
            "clobTokenIds": serde_json::to_string(&tokens).unwrap_or_default(),
            "active": self.active,
            "closed": self.closed,
            "volume": self.volume.to_string(),
            "liquidity": (self.volume / Decimal::TEN).to_string(),
            "volumeNum": number(self.volume),
            "liquidityNum": number(self.volume / Decimal::TEN),
            "endDate": "2030-12-31T12:00:00Z",
            "enableOrderBook": true,
            "acceptingOrders": self.active,
            "orderPriceMinTickSize": 0.01,
            "orderMinSize": 5,
            "negRisk": false,
            "questionID": format!("0x{:0>64}", self.id),
        })
    }
}

/// A decimal as a JSON number, as the APIs send most numeric fields.
pub(crate) fn number(d: Decimal) -> Value {
    serde_json::from_str(&d.normalize().to_string()).unwrap_or(Value::Null)
}
