//! The two seed scenarios end to end: the real api, workers and bot, each on its own
//! runtime tracing as its own service into an OTLP receiver, on Postgres and Redis, with
//! the Polymarket and Telegram fakes around them.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bot::{Backoff, BotHandle, Options};
use common::{MARKET, NO, Stack, WAIT, YES, eventually, leader, no_buy};
use rust_decimal_macros::dec;
use testkit::TestApi;
use testkit::api::TEST_API_TOKEN;
use testkit::otlp::{OtlpReceiver, ReceivedSpan, ServiceRuntime};
use testkit::polymarket::FakePolymarket;
use testkit::telegram::{FakeTelegram, FakeUser, TEST_BOT_TOKEN};
use ts_cache::keys;
use ts_config::BotSettings;
use ts_core::copy::{LeaderTradeMessage, SizingMode};
use ts_core::event::Event;
use ts_core::position::{
    ClosePositionRequest, CloseReason, OpenPositionRequest, PositionSource, PositionStatus, pnl,
};
use workers::Workers;

/// A user the test uses only to learn that the bot follows the events stream.
const PROBE: i64 = 9_999;

struct System {
    stack: Stack,
    telegram: FakeTelegram,
    otlp: OtlpReceiver,
    workers: Option<Workers>,
    bot: BotHandle,
    runtimes: Vec<Arc<ServiceRuntime>>,
}

impl System {
    async fn start() -> System {
        let otlp = OtlpReceiver::start().await.unwrap();
        let rt = |name| Arc::new(ServiceRuntime::new(name, &otlp.url).unwrap());
        let (api_rt, workers_rt, bot_rt) = (rt("api"), rt("workers"), rt("bot"));
        let api = api_rt.run(TestApi::spawn()).await.unwrap();
        let fake = FakePolymarket::spawn().await.unwrap();
        fake.set_markets(vec![testkit::polymarket::FakeMarket::binary(
            MARKET,
            "Will it rain in Paris?",
            YES,
            NO,
            dec!(0.55),
        )]);
        let stack = Stack { api, fake };

        let config = stack.config("scenario");
        let workers = workers_rt.run(workers::spawn(config)).await.unwrap();

        let telegram = FakeTelegram::start().await.unwrap();
        let vars = HashMap::from([
            ("SKIP_DB".to_string(), "true".to_string()),
            ("API_URL".into(), stack.api.base_url.clone()),
            ("API_TOKEN".into(), TEST_API_TOKEN.into()),
            ("TELEGRAM_BOT_TOKEN".into(), TEST_BOT_TOKEN.into()),
            ("TELEGRAM_API_URL".into(), telegram.url().to_string()),
            ("BOT_RATE_LIMIT_PER_MINUTE".into(), "1000".into()),
        ]);
        let fast = Backoff::new(Duration::from_millis(50), Duration::from_millis(500));
        let options = Options {
            startup_backoff: fast,
            events_backoff: fast,
            ..Options::default()
        };
        let settings = BotSettings::from_vars(&vars).unwrap();
        let bot = bot_rt.run(bot::spawn(settings, options)).await.unwrap();
        let system = System {
            stack,
            telegram,
            otlp,
            workers: Some(workers),
            bot,
            runtimes: vec![api_rt, workers_rt, bot_rt],
        };
        eventually("the bot ready", || async {
            let resp = reqwest::get(system.bot.health_url("/health/ready"))
                .await
                .ok()?;
            (resp.status() == 200).then_some(())
        })
        .await;
        system
    }

    /// Step 1 of both: the poller stored the market from Gamma and the streamer priced
    /// its tokens from the market socket.
    async fn market_data(&self) {
        let market = eventually("the market stored", || async {
            self.stack.api.client.get_market(MARKET).await.ok()
        })
        .await;
        assert_eq!(market.outcomes[1].token_id, NO);
        assert_eq!(self.stack.price(YES).await, dec!(0.55));
        assert_eq!(self.stack.price(NO).await, dec!(0.45));
    }

    /// A user who talks to the bot: `/start` registers them through the API.
    async fn start_user(&self, id: i64, name: &str) -> FakeUser {
        let user = self.telegram.user(id, name);
        user.send_text("/start");
        user.reply().await.unwrap();
        eventually("the user registered", || async {
            self.stack.api.client.get_user(id).await.ok()
        })
        .await;
        user
    }

    /// The bot starts following events from the newest one when it connects: open and
    /// close a probe position until the probe user is told, then events reach users.
    async fn bot_follows_events(&self) {
        let probe = self.start_user(PROBE, "Probe").await;
        let client = &self.stack.api.client;
        for _ in 0..40 {
            let p = client
                .open_position(&manual(PROBE, None), None)
                .await
                .unwrap();
            let close = ClosePositionRequest {
                telegram_id: PROBE,
                reason: CloseReason::Manual,
            };
            client.close_position(p.id, &close, None).await.unwrap();
            if probe
                .wait_for(
                    |m| m.text.contains("Position closed"),
                    Duration::from_millis(500),
                )
                .await
                .is_ok()
            {
                return;
            }
        }
        panic!("the bot never delivered an event");
    }

    async fn flush_traces(&self) {
        for rt in &self.runtimes {
            let rt = Arc::clone(rt);
            tokio::task::spawn_blocking(move || rt.flush())
                .await
                .unwrap();
        }
    }

    async fn stop(mut self) {
        if let Some(w) = self.workers.take() {
            w.stop().await;
        }
    }
}

fn manual(telegram_id: i64, take_profit: Option<rust_decimal::Decimal>) -> OpenPositionRequest {
    OpenPositionRequest {
        telegram_id,
        market_id: MARKET.into(),
        outcome: "Yes".into(),
        amount: dec!(10),
        take_profit,
        stop_loss: None,
        source: PositionSource::Manual,
        allocation_id: None,
        leader_trade_id: None,
        max_price: None,
    }
}

async fn cached(stack: &Stack, key: &str) -> bool {
    stack.api.state.cache.get_raw(key).await.unwrap().is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_scenario_1_a_leader_trade_is_copied_and_announced_in_one_trace() {
    let system = System::start().await;
    let (stack, api) = (&system.stack, &system.stack.api);
    let cache = &api.state.cache;

    // 1. Market data: Gamma -> store, market socket -> prices.
    system.market_data().await;
    system.bot_follows_events().await;

    // 2. The follower starts the bot and 3. follows the leader.
    let ada = system.start_user(1_001, "Ada").await;
    let whale = leader('9');
    let allocation = stack
        .follow(1_001, &whale, SizingMode::Fixed, dec!(20), 300)
        .await;
    // Reads the user made before the trade, now cached.
    assert!(api.client.positions(1_001, None).await.unwrap().is_empty());
    assert!(
        api.client
            .trades(Some(&whale), None)
            .await
            .unwrap()
            .is_empty()
    );
    let positions_key = keys::positions(cache, 1_001, "all");
    assert!(cached(stack, &positions_key).await);

    // 4. The leader's trade arrives by the signed indexer webhook.
    let trade = no_buy(&whale, "0x00000000000005c1");
    let receipt = stack.send_webhook(&trade).await;
    assert_eq!((receipt.stored, receipt.duplicates), (1, 0));

    // 5. It is stored (the cached empty trade list is gone).
    let stored = api.client.trades(Some(&whale), None).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].asset, NO);

    // 6. It is on the leader-trades stream, with the webhook's trace context.
    let stream = cache.leader_trades_stream();
    let mut redis = redis::Client::open(api.redis.url.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let entries: Vec<(String, HashMap<String, String>)> = redis::cmd("XRANGE")
        .arg(&stream)
        .arg("-")
        .arg("+")
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let fields = &entries[0].1;
    let message: LeaderTradeMessage = serde_json::from_str(&fields["payload"]).unwrap();
    assert_eq!(message.trade.id, stored[0].id);
    let traceparent = fields["traceparent"].clone();
    assert_eq!(message.traceparent.as_deref(), Some(traceparent.as_str()));
    let webhook_trace = traceparent.split('-').nth(1).unwrap().to_owned();

    // 7. The listener consumed it and 8. opened the follower's position through the API.
    let sql = format!(
        "SELECT count(*) FROM positions WHERE allocation_id = '{}'",
        allocation.id
    );
    eventually("the follower position", || async {
        (stack.count(&sql).await == 1).then_some(())
    })
    .await;
    assert!(
        !cached(stack, &positions_key).await,
        "the follower's cached positions were invalidated"
    );
    let positions = api.client.positions(1_001, None).await.unwrap();
    assert_eq!(positions.len(), 1);
    let copy = &positions[0];
    assert_eq!(
        (copy.source, copy.status),
        (PositionSource::Copy, PositionStatus::Open)
    );
    assert_eq!((copy.token_id.as_str(), copy.outcome.as_str()), (NO, "No"));
    assert_eq!(copy.amount, dec!(20));
    assert_eq!(copy.allocation_id, Some(allocation.id));
    assert_eq!(copy.leader_trade_id, Some(stored[0].id));
    eventually("the entry acknowledged", || async {
        (stack.unacknowledged().await == 0).then_some(())
    })
    .await;

    // 9. The follower sees it with /positions and 10. was notified.
    let notice = ada
        .wait_for(|m| m.text.contains("Copy trade executed"), WAIT)
        .await
        .unwrap();
    assert!(
        notice.text.contains("No in “Will it rain in Paris?”"),
        "{}",
        notice.text
    );
    assert!(notice.text.contains("$20.00"), "{}", notice.text);
    ada.send_text("/positions");
    let list = ada
        .wait_for(
            |m| m.text.contains("Will it rain in Paris?") && !m.text.contains("Copy trade"),
            WAIT,
        )
        .await
        .unwrap();
    assert!(
        list.text.contains("No — Will it rain in Paris?"),
        "{}",
        list.text
    );
    assert!(list.text.contains("$20.00 at 45¢"), "{}", list.text);

    // One trace: webhook (api) -> listener (workers) -> open (api) -> notification (bot).
    system.flush_traces().await;
    let spans = system
        .otlp
        .wait_for(WAIT, |spans| joined_trace(spans, &webhook_trace).is_ok())
        .await
        .unwrap_or_else(|_| {
            let spans = system.otlp.spans();
            panic!("{:?}", joined_trace(&spans, &webhook_trace).unwrap_err())
        });
    joined_trace(&spans, &webhook_trace).unwrap();
    system.stop().await;
}

/// Checks the copy's trace: each hop's span is a child of the previous service's span.
fn joined_trace(spans: &[ReceivedSpan], trace_id: &str) -> Result<(), String> {
    let trace: Vec<&ReceivedSpan> = spans.iter().filter(|s| s.trace_id == trace_id).collect();
    let find = |service: &str, name: &str| {
        trace
            .iter()
            .find(|s| s.service == service && s.name == name)
            .copied()
            .ok_or_else(|| {
                let seen: Vec<(&str, &str)> = trace
                    .iter()
                    .map(|s| (s.service.as_str(), s.name.as_str()))
                    .collect();
                format!("no {service} span '{name}' in trace {trace_id}; spans: {seen:?}")
            })
    };
    let child_of = |child: &ReceivedSpan, service: &str| {
        let parent = trace
            .iter()
            .find(|s| Some(&s.span_id) == child.parent_span_id.as_ref())
            .ok_or_else(|| {
                format!(
                    "the parent of {} ({}) is not in the trace",
                    child.name, child.service
                )
            })?;
        if parent.service == service {
            Ok(())
        } else {
            Err(format!(
                "{} has a parent in {}, not {service}",
                child.name, parent.service
            ))
        }
    };
    find("api", "POST /webhooks/indexer")?;
    let process = find("workers", "copy_trading.process")?;
    child_of(process, "api")?;
    let open = trace
        .iter()
        .find(|s| s.service == "api" && s.name == "POST /api/v1/positions")
        .ok_or("no api span for the follower's open")?;
    child_of(open, "workers")?;
    let notify = find("bot", "notify")?;
    child_of(notify, "api")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_scenario_2_take_profit_over_the_market_socket_closes_and_notifies() {
    let system = System::start().await;
    let (stack, api) = (&system.stack, &system.stack.api);
    let cache = &api.state.cache;

    // 1. Market data: Gamma -> store, market socket -> prices.
    system.market_data().await;
    system.bot_follows_events().await;

    // 2. The user starts the bot and 3. holds a position with a take-profit at 0.60.
    let bea = system.start_user(2_001, "Bea").await;
    let position = api
        .client
        .open_position(&manual(2_001, Some(dec!(0.6))), None)
        .await
        .unwrap();
    assert_eq!(position.entry_price, dec!(0.55));
    bea.wait_for(|m| m.text.contains("Position opened"), WAIT)
        .await
        .unwrap();

    // 4. /positions shows it (and caches the open positions).
    bea.send_text("/positions");
    let list = bea
        .wait_for(|m| m.text.contains("Yes — Will it rain in Paris?"), WAIT)
        .await
        .unwrap();
    assert!(list.text.contains("$10.00 at 55¢"), "{}", list.text);
    let open_key = keys::positions(cache, 2_001, "open");
    assert!(cached(stack, &open_key).await);

    // 5. The monitor has it armed.
    let workers = system.workers.as_ref().unwrap();
    eventually("the position armed", || async {
        let m = &workers.status.snapshot()["tpsl_monitor"];
        m.detail
            .as_deref()
            .is_some_and(|d| d.starts_with("1 "))
            .then_some(())
    })
    .await;
    let mut events = Box::pin(api.client.events(None).await.unwrap());

    // 6. The price crosses 0.60 on the market socket; the streamer writes it.
    stack.fake.push_price_change(YES, dec!(0.62));
    eventually("the new price", || async {
        (cache.get_price(YES).await.unwrap()?.price == dec!(0.62)).then_some(())
    })
    .await;

    // 7. The monitor closed it through the API with reason take_profit, once.
    let closed = eventually("the take-profit close", || async {
        let p = api
            .client
            .positions(2_001, Some(PositionStatus::Closed))
            .await
            .unwrap();
        p.into_iter().find(|p| p.id == position.id)
    })
    .await;
    assert_eq!(closed.close_reason, Some(CloseReason::TakeProfit));
    assert_eq!(closed.exit_price, Some(dec!(0.62)));
    assert_eq!(
        closed.realized_pnl,
        Some(pnl(closed.size, dec!(0.55), dec!(0.62)))
    );
    assert!(
        !cached(stack, &open_key).await,
        "the cached open positions were invalidated"
    );
    assert!(
        api.client
            .positions(2_001, Some(PositionStatus::Open))
            .await
            .unwrap()
            .is_empty()
    );
    let mut hits = 0;
    while let Ok(Some(Ok(envelope))) = tokio::time::timeout(
        Duration::from_secs(1),
        futures::StreamExt::next(&mut events),
    )
    .await
    {
        match envelope.event {
            Event::TpSlHit { position: p } if p.id == position.id => hits += 1,
            Event::PositionClosed { position: p } if p.id == position.id => {
                panic!("a second close")
            }
            _ => {}
        }
    }
    assert_eq!(hits, 1);

    // 8. The user is told.
    let notice = bea
        .wait_for(|m| m.text.contains("Take-profit hit"), WAIT)
        .await
        .unwrap();
    assert!(
        notice
            .text
            .contains("Yes in “Will it rain in Paris?” closed at 62¢"),
        "{}",
        notice.text
    );
    bea.send_text("/positions");
    let after = bea.reply().await.unwrap();
    assert!(!after.text.contains("$10.00 at 55¢"), "{}", after.text);
    system.stop().await;
}
