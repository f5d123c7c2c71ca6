//! The demo world the local fakes serve: a handful of open markets whose prices drift,
//! so the stack behaves like a live one with no network.
use rand::Rng;
use rust_decimal::Decimal;
use testkit::polymarket::FakeMarket;

/// Questions, Yes prices in cents and volumes of the demo markets.
const MARKETS: &[(&str, u32, i64)] = &[
    ("Will the Fed cut rates at its next meeting?", 62, 8_400_000),
    ("Will Bitcoin close above $150k this year?", 27, 12_900_000),
    (
        "Will the home team win the championship final?",
        48,
        3_100_000,
    ),
    (
        "Will a new smartphone model sell 10M units in its first month?",
        55,
        950_000,
    ),
    (
        "Will the summit end with a signed agreement?",
        35,
        1_700_000,
    ),
    ("Will the city see snow on New Year's Day?", 18, 420_000),
];

pub fn markets() -> Vec<FakeMarket> {
    MARKETS
        .iter()
        .enumerate()
        .map(|(i, (question, cents, volume))| {
            let id = format!("{}", 500_001 + i);
            let yes = format!("7100{:0>20}", i * 2 + 1);
            let no = format!("7100{:0>20}", i * 2 + 2);
            let mut m =
                FakeMarket::binary(&id, question, &yes, &no, Decimal::new(i64::from(*cents), 2));
            m.volume = Decimal::from(*volume);
            m
        })
        .collect()
}

/// A step of a bounded random walk of one cent, kept within [0.02, 0.98].
pub fn drift(price: Decimal) -> Decimal {
    let step = Decimal::new(if rand::rng().random_bool(0.5) { 1 } else { -1 }, 2);
    (price + step).clamp(Decimal::new(2, 2), Decimal::new(98, 2))
}
