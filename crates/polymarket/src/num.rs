//! Polymarket sends the same decimal as a string in one endpoint and a number in the
//! next (`"0.45"`, `0.45`, `".48"`); these read both.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

/// A decimal given as a string or a number; absent, empty or garbage reads as `None`
/// rather than failing a whole page.
pub(crate) fn lenient_decimal<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<Decimal>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(de)?;
    Ok(match value {
        Some(serde_json::Value::String(s)) => parse(&s),
        // The number's shortest text ("0.53"), not its binary value (0.530000000000000027).
        Some(serde_json::Value::Number(n)) => parse(&n.to_string()),
        _ => None,
    })
}

/// Like [`lenient_decimal`], for fields without which the message means nothing.
pub(crate) fn required_decimal<'de, D: Deserializer<'de>>(de: D) -> Result<Decimal, D::Error> {
    lenient_decimal(de)?.ok_or_else(|| serde::de::Error::custom("expected a decimal"))
}

fn parse(s: &str) -> Option<Decimal> {
    let s = s.trim();
    s.parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(s))
        .ok()
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    struct P {
        #[serde(default, deserialize_with = "lenient_decimal")]
        p: Option<Decimal>,
    }

    fn p(json: &str) -> Option<Decimal> {
        serde_json::from_str::<P>(json).unwrap().p
    }

    #[test]
    fn strings_numbers_and_junk() {
        assert_eq!(p(r#"{"p":"0.45"}"#), Some(dec!(0.45)));
        assert_eq!(p(r#"{"p":".48"}"#), Some(dec!(0.48)));
        assert_eq!(p(r#"{"p":0.53}"#), Some(dec!(0.53)));
        assert_eq!(p(r#"{"p":5}"#), Some(dec!(5)));
        assert_eq!(p(r#"{"p":1e-3}"#), Some(dec!(0.001)));
        assert_eq!(p(r#"{"p":""}"#), None);
        assert_eq!(p(r#"{"p":null}"#), None);
        assert_eq!(p(r#"{}"#), None);
    }
}
