//! Numbers as users read them: dollars with cents, prices in cents, signed P&L.

use rust_decimal::{Decimal, RoundingStrategy};

/// `$1,234.50`; negative amounts as `-$3.00`.
pub fn usd(amount: Decimal) -> String {
    let rounded = amount
        .abs()
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{rounded:.2}");
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let sign = if amount.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${}.{cents}", group_thousands(whole))
}

/// `+$2.00` / `-$1.50`: the sign always shown.
pub fn pnl(amount: Decimal) -> String {
    if amount.is_sign_negative() && !amount.round_dp(2).is_zero() {
        usd(amount)
    } else {
        format!("+{}", usd(amount.abs()))
    }
}

/// A share price (0..1) in cents: `55¢`, `55.5¢`.
pub fn cents(price: Decimal) -> String {
    let c = (price * Decimal::ONE_HUNDRED).round_dp(1).normalize();
    format!("{c}¢")
}

/// A share price as typed and stored by the API: `0.55`.
pub fn price(price: Decimal) -> String {
    price.round_dp(4).normalize().to_string()
}

/// `+20.0%` for the change of `pnl` on `cost`.
pub fn percent(pnl: Decimal, cost: Decimal) -> String {
    if cost.is_zero() {
        return "0.0%".to_string();
    }
    let pct = (pnl / cost * Decimal::ONE_HUNDRED).round_dp(1);
    if pct.is_sign_negative() && !pct.is_zero() {
        format!("{pct:.1}%")
    } else {
        format!("+{:.1}%", pct.abs())
    }
}

/// Large amounts in short form: `$12.3K`, `$1.5M`.
pub fn compact_usd(amount: Decimal) -> String {
    let thousand = Decimal::from(1_000);
    let million = Decimal::from(1_000_000);
    if amount >= million {
        format!("${:.1}M", (amount / million).round_dp(1))
    } else if amount >= thousand {
        format!("${:.1}K", (amount / thousand).round_dp(1))
    } else {
        format!("${:.0}", amount.round_dp(0))
    }
}

/// `0xabcd…1234`: enough to recognise a wallet.
pub fn short_address(address: &str) -> String {
    if address.len() <= 12 {
        return address.to_string();
    }
    format!("{}…{}", &address[..6], &address[address.len() - 4..])
}

/// At most `max` characters, with an ellipsis when cut (button labels are short).
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((idx, _)) if text.chars().count() > max => format!("{}…", &text[..idx]),
        _ => text.to_string(),
    }
}

fn group_thousands(whole: &str) -> String {
    let digits: Vec<char> = whole.chars().collect();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(*c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money() {
        assert_eq!(usd(d("1234.5")), "$1,234.50");
        assert_eq!(usd(d("-3")), "-$3.00");
        assert_eq!(usd(d("0.004")), "$0.00");
        assert_eq!(pnl(d("2")), "+$2.00");
        assert_eq!(pnl(d("-1.5")), "-$1.50");
        assert_eq!(pnl(d("-0.001")), "+$0.00");
        assert_eq!(compact_usd(d("50000")), "$50.0K");
        assert_eq!(compact_usd(d("1500000")), "$1.5M");
    }

    #[test]
    fn prices_and_percentages() {
        assert_eq!(cents(d("0.55")), "55¢");
        assert_eq!(cents(d("0.555")), "55.5¢");
        assert_eq!(price(d("0.5500")), "0.55");
        assert_eq!(percent(d("2"), d("10")), "+20.0%");
        assert_eq!(percent(d("-1"), d("10")), "-10.0%");
    }

    #[test]
    fn text() {
        assert_eq!(
            short_address("0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
            "0xaaaa…aaaa"
        );
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
