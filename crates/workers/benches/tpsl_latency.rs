//! TP/SL monitor hot path: 100,000 open positions with TP and SL over 2,000 tokens, ticks
//! arriving at 5,000 per second for 10 seconds. Measured per close: from the moment the
//! tick message is handed to the monitor's task to the moment the close request enters
//! the closer's queue (the HTTP request itself is the API's latency, not the monitor's).
//! Prints p50 / p99 / max; run with `cargo bench -p workers --bench tpsl_latency`.

use std::time::{Duration, Instant};

use chrono::Utc;
use rand::Rng;
use rust_decimal::Decimal;
use tokio::sync::mpsc;
use ts_core::market::PriceTick;
use ts_core::position::{Position, PositionSource, PositionStatus};
use uuid::Uuid;
use workers::tpsl::{CloseOrder, TpSlIndex, on_tick_message};

const POSITIONS: usize = 100_000;
const TOKENS: usize = 2_000;
const TICKS_PER_SECOND: usize = 5_000;
const SECONDS: usize = 10;

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

fn position(token: usize, rng: &mut impl Rng) -> Position {
    Position {
        id: Uuid::new_v4(),
        telegram_id: 1 + rng.random_range(0..10_000),
        market_id: format!("m{token}"),
        market_question: String::new(),
        outcome: "Yes".into(),
        token_id: format!("token-{token}"),
        amount: Decimal::TEN,
        size: Decimal::from(20),
        entry_price: cents(50),
        exit_price: None,
        take_profit: Some(cents(rng.random_range(52..99))),
        stop_loss: Some(cents(rng.random_range(1..49))),
        status: PositionStatus::Open,
        source: PositionSource::Manual,
        close_reason: None,
        realized_pnl: None,
        current_price: None,
        unrealized_pnl: None,
        allocation_id: None,
        leader_trade_id: None,
        opened_at: Utc::now(),
        closed_at: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

// One thread, as the monitor has one task: no cross-thread wake-ups in the figure.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut rng = rand::rng();
    let mut index = TpSlIndex::default();
    for i in 0..POSITIONS {
        index.upsert(&position(i % TOKENS, &mut rng));
    }
    println!(
        "tpsl_latency: {} positions armed on {TOKENS} tokens",
        index.len()
    );

    // Ticks as the pub/sub subscription delivers them (JSON), stamped when handed over.
    let (ticks, mut ticks_rx) = mpsc::unbounded_channel::<(Instant, String)>();
    let (orders, mut orders_rx) = mpsc::unbounded_channel::<(Instant, Instant, CloseOrder)>();
    let monitor = tokio::spawn(async move {
        let mut per_tick = Vec::with_capacity(TICKS_PER_SECOND * SECONDS);
        while let Some((sent, json)) = ticks_rx.recv().await {
            let started = Instant::now();
            for order in on_tick_message(&mut index, &json) {
                let _ = orders.send((sent, Instant::now(), order));
            }
            per_tick.push(started.elapsed());
        }
        per_tick
    });
    let closer = tokio::spawn(async move {
        let mut latencies = Vec::new();
        while let Some((sent, handed, _order)) = orders_rx.recv().await {
            latencies.push(handed - sent);
        }
        latencies
    });

    // A random walk per token, paced at 5,000 ticks/s in 1 ms batches.
    let mut prices = vec![50i64; TOKENS];
    let mut every_ms = tokio::time::interval(Duration::from_millis(1));
    let started = Instant::now();
    for _ in 0..SECONDS * 1_000 {
        every_ms.tick().await;
        for _ in 0..TICKS_PER_SECOND / 1_000 {
            let token = rng.random_range(0..TOKENS);
            prices[token] = (prices[token] + rng.random_range(-3..=3)).clamp(1, 99);
            let tick = PriceTick {
                token_id: format!("token-{token}"),
                price: cents(prices[token]),
                at_ms: 0,
            };
            let json = serde_json::to_string(&tick).unwrap();
            let _ = ticks.send((Instant::now(), json));
        }
    }
    let elapsed = started.elapsed();
    drop(ticks);
    let mut per_tick = monitor.await.unwrap();
    let mut latencies = closer.await.unwrap();
    per_tick.sort();
    latencies.sort();
    println!(
        "tpsl_latency: {} ticks in {:.2} s ({:.0}/s), {} closes requested",
        per_tick.len(),
        elapsed.as_secs_f64(),
        per_tick.len() as f64 / elapsed.as_secs_f64(),
        latencies.len()
    );
    println!(
        "tpsl_latency: tick processing p50 {:?} p99 {:?} max {:?}",
        percentile(&per_tick, 0.5),
        percentile(&per_tick, 0.99),
        per_tick.last().unwrap()
    );
    println!(
        "tpsl_latency: tick -> close request p50 {:?} p99 {:?} max {:?} (target p99 <= 5 ms)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().unwrap()
    );
}
