//! What users type, parsed once at the edge: an amount in USDC, a price, or a
//! take-profit / stop-loss pair. Errors are the reply the user gets.

use std::str::FromStr;

use rust_decimal::Decimal;
use ts_core::position::{MAX_AMOUNT, MIN_AMOUNT};

/// A TP/SL pair; `None` means "no take-profit" / "no stop-loss".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TpSl {
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
}

/// `10`, `10.5`, `$10`, `10 usdc`, `10,5` -> 10.5 (two decimals at most).
pub fn amount(text: &str) -> Result<Decimal, String> {
    let cleaned = text
        .trim()
        .trim_start_matches('$')
        .trim_end_matches(|c: char| c.is_ascii_alphabetic() || c.is_whitespace())
        .replace(',', ".");
    let value = Decimal::from_str(cleaned.trim())
        .map_err(|_| format!("“{}” is not an amount. {}", text.trim(), AMOUNT_HINT))?;
    if value.scale() > 2 && value != value.round_dp(2) {
        return Err(format!("Use at most two decimals. {AMOUNT_HINT}"));
    }
    if value < MIN_AMOUNT || value > MAX_AMOUNT {
        return Err(format!("The amount is out of range. {AMOUNT_HINT}"));
    }
    Ok(value.normalize())
}

const AMOUNT_HINT: &str = "Send an amount in USDC between 1 and 1000000, for example 15.";

/// A price strictly between 0 and 1: `0.7`, `.7`, `70%`, `70c`, `70¢`.
pub fn price(token: &str) -> Result<Decimal, String> {
    let t = token.trim().to_lowercase();
    let (number, scale) = if let Some(n) = t.strip_suffix('%') {
        (n, Decimal::ONE_HUNDRED)
    } else if let Some(n) = t.strip_suffix('c').or_else(|| t.strip_suffix('¢')) {
        (n, Decimal::ONE_HUNDRED)
    } else {
        (t.as_str(), Decimal::ONE)
    };
    let value = Decimal::from_str(number.trim())
        .map(|v| v / scale)
        .map_err(|_| format!("“{}” is not a price. {PRICE_HINT}", token.trim()))?;
    if value <= Decimal::ZERO || value >= Decimal::ONE {
        return Err(format!(
            "{} is not between 0 and 1. {PRICE_HINT}",
            token.trim()
        ));
    }
    Ok(value.normalize())
}

const PRICE_HINT: &str = "Prices are between 0 and 1, like 0.75 (or 75%, 75c).";

/// Two values, take-profit then stop-loss, separated by a space or a comma; `-` leaves
/// one out. `none` (or `clear`) alone removes both.
pub fn tpsl(text: &str) -> Result<TpSl, String> {
    let t = text.trim().to_lowercase();
    if matches!(t.as_str(), "none" | "clear" | "-" | "- -") {
        return Ok(TpSl::default());
    }
    let parts: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|p| !p.is_empty())
        .collect();
    let [tp, sl] = parts.as_slice() else {
        return Err(format!(
            "Send two values, take-profit then stop-loss, e.g. “0.75 0.40” (use - to leave one out, or “none”). {PRICE_HINT}"
        ));
    };
    let optional = |p: &str| {
        if p == "-" {
            Ok(None)
        } else {
            price(p).map(Some)
        }
    };
    let pair = TpSl {
        take_profit: optional(tp)?,
        stop_loss: optional(sl)?,
    };
    if let (Some(tp), Some(sl)) = (pair.take_profit, pair.stop_loss)
        && sl >= tp
    {
        return Err("The stop-loss must be below the take-profit.".to_string());
    }
    Ok(pair)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts() {
        assert_eq!(amount("10"), Ok(dec!(10)));
        assert_eq!(amount(" $12.5 "), Ok(dec!(12.5)));
        assert_eq!(amount("7 USDC"), Ok(dec!(7)));
        assert_eq!(amount("7,25"), Ok(dec!(7.25)));
        assert!(amount("ten").unwrap_err().contains("not an amount"));
        assert!(amount("0.5").unwrap_err().contains("out of range"));
        assert!(amount("2000000").is_err());
        assert!(amount("1.234").unwrap_err().contains("two decimals"));
    }

    #[test]
    fn prices() {
        assert_eq!(price("0.7"), Ok(dec!(0.7)));
        assert_eq!(price("70%"), Ok(dec!(0.7)));
        assert_eq!(price("70c"), Ok(dec!(0.7)));
        assert_eq!(price("55.5¢"), Ok(dec!(0.555)));
        assert!(price("1.2").is_err());
        assert!(price("0").is_err());
        assert!(price("abc").is_err());
    }

    #[test]
    fn pairs() {
        assert_eq!(
            tpsl("0.8 0.4"),
            Ok(TpSl {
                take_profit: Some(dec!(0.8)),
                stop_loss: Some(dec!(0.4))
            })
        );
        assert_eq!(
            tpsl("80%, -"),
            Ok(TpSl {
                take_profit: Some(dec!(0.8)),
                stop_loss: None
            })
        );
        assert_eq!(tpsl("none"), Ok(TpSl::default()));
        assert!(tpsl("0.8").is_err());
        assert!(tpsl("0.4 0.8").unwrap_err().contains("below"));
    }
}
