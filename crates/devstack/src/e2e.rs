//! `e2e`: both seed scenarios against the running local stack, through the real bot,
//! api and workers, with the fakes standing in for Telegram, Polymarket and the indexer.
use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use ts_core::position::{CloseReason, Position, PositionSource, PositionStatus};

use crate::chat::{ChatUser, text};
use crate::env::StackEnv;
use crate::http::{get_json, post_json};
use crate::report::Report;

pub async fn run() -> anyhow::Result<()> {
    let env = StackEnv::load();
    let mut r = Report::default();
    println!("Scenario 1: copy trading");
    if let Err(e) = copy_trading(&env, &mut r).await {
        r.check::<anyhow::Error>("scenario 1 ran to its end", Err(e));
    }
    println!("Scenario 2: smart trading with take-profit");
    if let Err(e) = smart_trading(&env, &mut r).await {
        r.check::<anyhow::Error>("scenario 2 ran to its end", Err(e));
    }
    r.finish()
}

fn fresh_id() -> i64 {
    8_000_000 + i64::from(rand::random::<u16>()) * 10 + i64::from(rand::random::<u8>() % 10)
}

/// Fails the scenario at the first broken step: later steps build on it.
fn step<T, E: std::fmt::Display>(
    r: &mut Report,
    what: &str,
    res: Result<T, E>,
    detail: impl Fn(&T) -> String,
) -> anyhow::Result<T> {
    match res {
        Ok(v) => {
            r.check::<String>(what, Ok(detail(&v)));
            Ok(v)
        }
        Err(e) => {
            r.check::<String>(what, Err(e.to_string()));
            anyhow::bail!("stopped at: {what}")
        }
    }
}

async fn copy_trading(env: &StackEnv, r: &mut Report) -> anyhow::Result<()> {
    let control = env.control_url()?.to_string();
    let api = env.api_client()?;
    let secret = env.require("WEBHOOK_SECRET")?.to_string();
    let cache = ts_cache::Cache::connect(
        env.require("REDIS_URL")?,
        env.get("REDIS_KEY_PREFIX").unwrap_or("ts"),
    )
    .await?;
    let user = ChatUser::new(&control, fresh_id());
    let n = rand::random::<u32>();
    let leader = format!("0x{n:08x}{}", "c".repeat(32));
    let name = format!("Leader{}", n % 10_000);
    // The market and outcome the leader trades: the second outcome, so the copy must
    // mirror the token rather than assume Yes.
    let markets = get_json(&format!("{control}/polymarket/markets")).await?;
    let market = markets
        .as_array()
        .and_then(|m| m.first())
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no demo market"))?;
    let (market_id, token) = (
        market["id"].as_str().unwrap_or_default().to_string(),
        market["outcomes"][1]["token_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    );
    let webhook = |tx: String, price: Decimal| {
        json!({"proxyWallet": leader, "transactionHash": tx, "asset": token, "conditionId": "0xc0", "side": "BUY",
               "size": 100, "price": price, "usdcSize": (price * Decimal::from(100)).round_dp(2), "outcome": "No",
               "outcomeIndex": 1, "timestamp": chrono::Utc::now().timestamp(), "pseudonym": name})
    };

    // The leader becomes known through an earlier trade.
    let seed = serde_json::to_vec(&webhook(
        format!("0x{n:08x}{}", "1".repeat(56)),
        Decimal::new(50, 2),
    ))?;
    step(
        r,
        "1. a leader's earlier trade arrives by signed webhook",
        api.send_webhook(&secret, &seed).await,
        |rc| format!("{} stored", rc.stored),
    )?;
    step(
        r,
        "2. /copy_trading lists the leader with stats",
        user.send("/copy_trading", &name).await,
        first_line,
    )?;
    step(
        r,
        "3. choosing the leader offers amounts",
        user.press(&name, "each copied trade").await,
        |_| String::new(),
    )?;
    user.press("$10.00", "Start copying").await?;
    step(
        r,
        "4. confirming stores the allocation",
        user.press("✅ Start copying", "You are now copying").await,
        |_| String::new(),
    )?;
    let allocs = api.allocations(user.id, Some(true)).await?;
    step(
        r,
        "   the API holds it",
        if allocs.iter().any(|a| a.leader_address.as_str() == leader) {
            Ok(allocs.len())
        } else {
            Err("no allocation".to_string())
        },
        |n| format!("{n} active"),
    )?;
    // Read the positions once so the (empty) list is cached: the copy must invalidate it.
    api.positions(user.id, None).await?;

    let stream = cache.leader_trades_stream();
    let stream_before = cache.stream_len(&stream).await?;
    let price = api
        .get_market(&market_id)
        .await?
        .outcomes
        .get(1)
        .and_then(|o| o.price)
        .unwrap_or(Decimal::new(50, 2));
    let trade_tx = format!("0x{n:08x}{}", "2".repeat(56));
    let body = serde_json::to_vec(&webhook(
        trade_tx.clone(),
        (price + Decimal::new(1, 2)).min(Decimal::new(99, 2)),
    ))?;
    step(
        r,
        "5. the leader's new trade arrives by signed webhook",
        api.send_webhook(&secret, &body).await,
        |rc| format!("stored {}", rc.stored),
    )?;
    let stored = api
        .trades(Some(&ts_core::LeaderAddress::parse(&leader)?), Some(10))
        .await?;
    step(
        r,
        "6. the API stored it once",
        if stored
            .iter()
            .filter(|t| t.transaction_hash == trade_tx)
            .count()
            == 1
        {
            Ok(())
        } else {
            Err("not stored exactly once")
        },
        |_| trade_tx.clone(),
    )?;
    let stream_after = cache.stream_len(&stream).await?;
    step(
        r,
        "7. it was appended to the leader-trades stream",
        if stream_after > stream_before {
            Ok(())
        } else {
            Err("stream length did not grow")
        },
        |_| format!("{stream_before} -> {stream_after} entries"),
    )?;
    let copied = wait_position(env, user.id, |p| p.source == PositionSource::Copy).await;
    let p = step(
        r,
        "8. the listener opened the follower's position through the API",
        copied,
        |p| format!("{} of {} at {}", p.amount, p.outcome, p.entry_price),
    )?;
    step(
        r,
        "   it mirrors the leader's token (not Yes)",
        if p.token_id == token {
            Ok(())
        } else {
            Err(format!("token {} instead of {token}", p.token_id))
        },
        |_| String::new(),
    )?;
    step(
        r,
        "   the cached positions read was invalidated",
        if api
            .positions(user.id, None)
            .await?
            .iter()
            .any(|x| x.id == p.id)
        {
            Ok(())
        } else {
            Err("stale cached list")
        },
        |_| String::new(),
    )?;
    step(
        r,
        "9. the user got a notification",
        user.wait_for(&[], "Copy trade executed").await,
        first_line,
    )?;
    step(
        r,
        "10. /positions shows the position",
        user.send(
            "/positions",
            &p.market_question.chars().take(20).collect::<String>(),
        )
        .await,
        |_| String::new(),
    )?;
    match env.get("TS_JAEGER_QUERY_URL") {
        Some(jaeger) => {
            step(
                r,
                "   the whole flow is one trace in Jaeger across api, workers and bot",
                one_trace(jaeger).await,
                |id| format!("trace {id}"),
            )?;
        }
        None => {
            println!("   (no Jaeger running: the one-trace check needs scripts/tools.sh's Jaeger)")
        }
    }
    Ok(())
}

async fn smart_trading(env: &StackEnv, r: &mut Report) -> anyhow::Result<()> {
    let control = env.control_url()?.to_string();
    let api = env.api_client()?;
    let user = ChatUser::new(&control, fresh_id());
    step(
        r,
        "1. /smart_trading lists recommendations with reasons",
        user.send("/smart_trading", "Why:").await,
        first_line,
    )?;
    let card = step(
        r,
        "2. a recommendation opens its market",
        user.press("1. ", "suggested").await,
        first_line,
    )?;
    let buy = crate::chat::labels(&card)
        .into_iter()
        .find(|l| l.starts_with("Buy "))
        .ok_or_else(|| anyhow::anyhow!("no Buy button on {}", text(&card)))?;
    step(
        r,
        "3. an outcome offers amounts",
        user.press(&buy, "$10.00").await.map(|_| buy.clone()),
        |b| b.clone(),
    )?;
    user.press("$10.00", "TP/SL").await?;
    user.press("🎯 Set TP/SL", "").await?;
    // TP a little above the current price, SL well below.
    let price = current_price(&buy);
    let tp = (price + Decimal::new(4, 2)).min(Decimal::new(98, 2));
    let sl = (price - Decimal::new(20, 2)).max(Decimal::new(1, 2));
    step(
        r,
        "4. TP/SL typed, confirmation shown",
        user.send(&format!("{tp} {sl}"), "Take-profit").await,
        first_line,
    )?;
    step(
        r,
        "5. confirming opens the position",
        user.press("✅ Confirm", "Position opened").await,
        |_| String::new(),
    )?;
    let opened = wait_position(env, user.id, |p| {
        p.source == PositionSource::Smart && p.status == PositionStatus::Open
    })
    .await;
    let p = step(r, "6. the API holds it with its TP/SL", opened, |p| {
        format!(
            "entry {} tp {:?} sl {:?}",
            p.entry_price, p.take_profit, p.stop_loss
        )
    })?;
    // The market moves over the fake WebSocket past the take-profit.
    let target = (p.take_profit.unwrap_or(tp) + Decimal::new(1, 2)).min(Decimal::new(99, 2));
    post_json(
        &format!("{control}/polymarket/price"),
        &json!({"token_id": p.token_id, "price": target}),
    )
    .await?;
    let closed = wait_position(env, user.id, |x| {
        x.id == p.id && x.status == PositionStatus::Closed
    })
    .await;
    let c = step(
        r,
        "7. the TP/SL monitor closed it through the API with reason take_profit",
        closed,
        |c| format!("exit {:?}, P&L {:?}", c.exit_price, c.realized_pnl),
    )?;
    step(
        r,
        "   reason",
        if c.close_reason == Some(CloseReason::TakeProfit) {
            Ok(())
        } else {
            Err(format!("{:?}", c.close_reason))
        },
        |_| "take_profit".into(),
    )?;
    step(
        r,
        "   the cached open-positions read was invalidated",
        if api
            .positions(user.id, Some(PositionStatus::Open))
            .await?
            .iter()
            .all(|x| x.id != p.id)
        {
            Ok(())
        } else {
            Err("still listed as open")
        },
        |_| String::new(),
    )?;
    step(
        r,
        "8. the user got a take-profit notification",
        user.wait_for(&[], "Take-profit hit").await,
        first_line,
    )?;
    Ok(())
}

/// Waits (30 s) for a trace of the last minutes holding spans of api, workers and bot:
/// webhook (api) -> stream entry's traceparent -> listener (workers) -> open (api) ->
/// notification (bot).
async fn one_trace(jaeger: &str) -> anyhow::Result<String> {
    let url = format!("{jaeger}/api/traces?service=workers&lookback=15m&limit=200");
    let mut seen = String::new();
    for _ in 0..60 {
        let traces = get_json(&url).await.unwrap_or(Value::Null);
        for t in traces["data"].as_array().into_iter().flatten() {
            let services: Vec<&str> = t["processes"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(_, p)| p["serviceName"].as_str())
                .collect();
            if ["api", "workers", "bot"]
                .iter()
                .all(|s| services.contains(s))
            {
                return Ok(t["traceID"].as_str().unwrap_or_default().to_string());
            }
            seen = format!("{services:?}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    anyhow::bail!("no trace spans api, workers and bot (last one seen: {seen})")
}

/// The price on a "Buy Yes · 62¢" label.
fn current_price(label: &str) -> Decimal {
    label
        .rsplit('·')
        .next()
        .and_then(|c| c.trim().trim_end_matches('¢').parse::<i64>().ok())
        .map(|cents| Decimal::new(cents, 2))
        .unwrap_or(Decimal::new(50, 2))
}

/// Polls the API (30 s) for a position of `telegram_id` matching `pred`.
async fn wait_position(
    env: &StackEnv,
    telegram_id: i64,
    pred: impl Fn(&Position) -> bool,
) -> anyhow::Result<Position> {
    let api = env.api_client()?;
    for _ in 0..150 {
        if let Some(p) = api
            .positions(telegram_id, None)
            .await?
            .into_iter()
            .find(&pred)
        {
            return Ok(p);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("no such position within 30 s")
}

fn first_line(m: &Value) -> String {
    text(m)
        .lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect()
}
