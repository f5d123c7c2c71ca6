//! Smart-trading ranking: liquid, active markets whose leading outcome is priced
//! where a move is still possible, each with the reason in words.
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::market::{Market, Recommendation};

const MIN_PRICE: Decimal = Decimal::from_parts(10, 0, 0, false, 2);
const MAX_PRICE: Decimal = Decimal::from_parts(90, 0, 0, false, 2);

/// Ranks markets best first; markets without a tradable priced outcome are left out.
pub fn rank(markets: Vec<Market>, limit: usize) -> Vec<Recommendation> {
    let mut ranked: Vec<Recommendation> = markets
        .into_iter()
        .filter(|m| m.active && !m.closed)
        .filter_map(recommend)
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.market.id.cmp(&b.market.id))
    });
    ranked.truncate(limit);
    ranked
}

fn recommend(market: Market) -> Option<Recommendation> {
    // The favourite that is not yet a near-certainty: the most upside left with conviction.
    let pick = market
        .outcomes
        .iter()
        .filter_map(|o| o.price.map(|p| (o, p)))
        .filter(|(_, p)| *p >= MIN_PRICE && *p <= MAX_PRICE)
        .max_by(|a, b| a.1.cmp(&b.1))?;
    let (outcome, price) = (pick.0.clone(), pick.1);
    let volume = market.volume.to_f64().unwrap_or(0.0).max(0.0);
    let liquidity = market.liquidity.to_f64().unwrap_or(0.0).max(0.0);
    let p = price.to_f64().unwrap_or(0.5);
    // Activity dominates; balance rewards prices that can still move either way.
    let balance = 1.0 - (p - 0.5).abs() * 2.0;
    let score = 0.6 * (volume + 1.0).ln() + 0.4 * (liquidity + 1.0).ln() + 2.0 * balance;
    let reason = format!(
        "{} at {} with ${} volume and ${} liquidity{}",
        outcome.name,
        price.round_dp(2),
        human(volume),
        human(liquidity),
        if balance > 0.6 {
            "; still open either way"
        } else {
            "; clear favourite with room to run"
        }
    );
    Some(Recommendation {
        outcome: outcome.name,
        token_id: outcome.token_id,
        price,
        score: (score * 1000.0).round() / 1000.0,
        reason,
        market,
    })
}

fn human(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}K", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Outcome;
    use chrono::Utc;
    use rust_decimal_macros::dec;

    fn market(id: &str, volume: Decimal, yes: Option<Decimal>) -> Market {
        Market {
            id: id.into(),
            question: format!("Q {id}?"),
            slug: id.into(),
            condition_id: format!("0x{id}"),
            active: true,
            closed: false,
            volume,
            liquidity: dec!(1000),
            end_date: None,
            outcomes: vec![
                Outcome {
                    name: "Yes".into(),
                    token_id: format!("{id}1"),
                    price: yes,
                },
                Outcome {
                    name: "No".into(),
                    token_id: format!("{id}2"),
                    price: yes.map(|p| Decimal::ONE - p),
                },
            ],
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn ranks_by_activity_and_skips_unpriced() {
        let out = rank(
            vec![
                market("a", dec!(100), Some(dec!(0.6))),
                market("b", dec!(1000000), Some(dec!(0.55))),
                market("c", dec!(5000000), None),
            ],
            10,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].market.id, "b");
        assert_eq!(out[0].outcome, "Yes");
        assert!(out[0].reason.contains("1.0M volume"), "{}", out[0].reason);
    }
}
