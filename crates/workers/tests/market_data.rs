//! Poller and price streamer against the Polymarket fake.

mod common;

use common::{MARKET, NO, Stack, WAIT, YES, eventually};
use rust_decimal_macros::dec;
use testkit::polymarket::FakeMarket;
use workers::WorkerState;

#[tokio::test]
async fn the_poller_stores_markets_invalidates_caches_and_survives_a_failed_poll() {
    let stack = Stack::start().await;
    // A cached market list that the first poll makes stale.
    let before = stack
        .api
        .client
        .list_markets(&Default::default())
        .await
        .unwrap();
    assert!(before.markets.is_empty());
    let workers = stack.workers("poller-test").await;

    let listed = eventually("the polled market listed", || async {
        let page = stack
            .api
            .client
            .list_markets(&Default::default())
            .await
            .unwrap();
        (!page.markets.is_empty()).then_some(page)
    })
    .await;
    let market = &listed.markets[0];
    assert_eq!(market.id, MARKET);
    let tokens: Vec<&str> = market
        .outcomes
        .iter()
        .map(|o| o.token_id.as_str())
        .collect();
    assert_eq!(tokens, [YES, NO]);

    // Gamma fails: the poller is degraded, then recovers and picks up a new market.
    stack.fake.fail_gamma(1_000);
    eventually("the poller degraded", || async {
        (workers.status.snapshot()["poller"].state == WorkerState::Degraded).then_some(())
    })
    .await;
    let mut markets = vec![FakeMarket::binary(
        MARKET,
        "Will it rain in Paris?",
        YES,
        NO,
        dec!(0.55),
    )];
    markets.push(FakeMarket::binary(
        "777",
        "Snow in Rome?",
        "7771",
        "7772",
        dec!(0.2),
    ));
    stack.fake.set_markets(markets);
    stack.fake.fail_gamma(0);
    eventually("the new market listed after recovery", || async {
        let page = stack
            .api
            .client
            .list_markets(&Default::default())
            .await
            .unwrap();
        (page.markets.len() == 2).then_some(())
    })
    .await;
    let poller = &workers.status.snapshot()["poller"];
    assert_eq!(poller.state, WorkerState::Running);
    assert!(
        poller
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("500")),
        "{poller:?}"
    );
    // ... and the streamer follows the new market's tokens on the open socket.
    stack
        .fake
        .wait_for_subscription(&[YES, NO, "7771", "7772"], WAIT)
        .await
        .unwrap();
    workers.stop().await;
}

#[tokio::test]
async fn the_streamer_writes_prices_and_resubscribes_after_the_socket_drops() {
    let stack = Stack::start().await;
    let workers = stack.workers("streamer-test").await;
    let first = stack
        .fake
        .wait_for_subscription(&[YES, NO], WAIT)
        .await
        .unwrap();
    // From the initial dump: the midpoint of the books around 0.55 / 0.45.
    assert_eq!(stack.price(YES).await, dec!(0.55));
    assert_eq!(stack.price(NO).await, dec!(0.45));

    let mut ticks = stack
        .api
        .state
        .cache
        .subscribe(&stack.api.state.cache.ticks_channel())
        .await
        .unwrap();
    stack.fake.push_price_change(YES, dec!(0.61));
    let tick = tokio::time::timeout(WAIT, futures::StreamExt::next(&mut ticks))
        .await
        .unwrap()
        .unwrap();
    assert!(tick.contains(YES) && tick.contains("0.61"), "{tick}");
    assert_eq!(stack.price(YES).await, dec!(0.61));

    // The fake drops the socket: the streamer reconnects and subscribes to all again.
    stack.fake.drop_sockets();
    let again = stack
        .fake
        .wait_for_subscription(&[YES, NO], WAIT)
        .await
        .unwrap();
    assert!(again.id > first.id, "a new connection");
    assert_eq!(again.messages[0]["type"], "market");
    stack.fake.push_price_change(YES, dec!(0.64));
    eventually("prices flow again", || async {
        (stack.api.state.cache.get_price(YES).await.unwrap()?.price == dec!(0.64)).then_some(())
    })
    .await;
    assert_eq!(stack.fake.sockets().iter().filter(|s| s.open).count(), 1);
    workers.stop().await;
}

#[tokio::test]
async fn health_lists_every_worker_and_is_ready_once_all_run() {
    let stack = Stack::start().await;
    let workers = stack.workers("health-test").await;
    let url = format!("http://{}/health/ready", workers.health_addr);
    let body: serde_json::Value = eventually("ready", || async {
        let resp = reqwest::get(&url).await.ok()?;
        (resp.status() == 200).then_some(())?;
        resp.json().await.ok()
    })
    .await;
    assert_eq!(body["status"], "ready");
    for name in [
        "poller",
        "price_streamer",
        "tpsl_monitor",
        "copy_listener",
        "watched_sync",
    ] {
        assert_eq!(body["workers"][name]["state"], "running", "{body}");
    }
    let live = reqwest::get(format!("http://{}/health/live", workers.health_addr))
        .await
        .unwrap();
    assert_eq!(live.status(), 200);

    stack.fake.fail_gamma(1_000);
    let body: serde_json::Value = eventually("not ready while Gamma fails", || async {
        let resp = reqwest::get(&url).await.ok()?;
        (resp.status() == 503).then_some(())?;
        resp.json().await.ok()
    })
    .await;
    assert_eq!(body["workers"]["poller"]["state"], "degraded");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("poller")
    );
    workers.stop().await;
}
