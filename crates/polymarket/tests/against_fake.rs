//! The clients against testkit's Polymarket fake, which speaks the documented formats.

use std::collections::BTreeSet;
use std::time::Duration;

use polymarket::clob::{ClobClient, Side};
use polymarket::data::{ActivityQuery, DataClient};
use polymarket::gamma::GammaClient;
use polymarket::ws::{MarketEvent, MarketSocket, SocketConfig, SocketEvent};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use testkit::polymarket::{FakeMarket, FakePolymarket};
use tokio::sync::mpsc;
use ts_core::LeaderAddress;
use ts_core::copy::{IncomingTrade, TradeSide};

const WAIT: Duration = Duration::from_secs(10);

fn markets(n: usize) -> Vec<FakeMarket> {
    (0..n)
        .map(|i| {
            FakeMarket::binary(
                &format!("{i}"),
                &format!("Q{i}?"),
                &format!("{i}1"),
                &format!("{i}2"),
                dec!(0.5),
            )
        })
        .collect()
}

#[tokio::test]
async fn gamma_pages_every_open_market_and_reports_failures() {
    let fake = FakePolymarket::spawn().await.unwrap();
    let mut all = markets(250);
    all.push(FakeMarket::binary("closed", "Done?", "c1", "c2", dec!(0.5)).closed());
    fake.set_markets(all);
    let gamma = GammaClient::new(&fake.url).unwrap();

    let first = gamma.markets_page(100, None).await.unwrap();
    assert_eq!(first.markets.len(), 100);
    assert!(first.next_cursor.is_some());

    let open = gamma.active_markets().await.unwrap();
    assert_eq!(open.len(), 250);
    assert_eq!(fake.gamma_requests(), 4, "one page, then three");
    let upsert = open[7].to_upsert().unwrap();
    assert_eq!(upsert.outcomes[0].token_id, "71");
    assert_eq!(upsert.outcomes[1].price, Some(dec!(0.5)));

    fake.fail_gamma(1);
    let err = gamma.active_markets().await.unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");
    assert_eq!(gamma.active_markets().await.unwrap().len(), 250);
}

#[tokio::test]
async fn clob_prices_midpoints_and_books() {
    let fake = FakePolymarket::spawn().await.unwrap();
    fake.set_markets(markets(1));
    fake.push_price_change("01", dec!(0.6));
    let clob = ClobClient::new(&fake.url).unwrap();
    assert_eq!(clob.midpoint("01").await.unwrap(), dec!(0.6));
    assert_eq!(clob.price("01", Side::Buy).await.unwrap(), dec!(0.61));
    assert_eq!(clob.price("01", Side::Sell).await.unwrap(), dec!(0.59));
    let book = clob.book("02").await.unwrap();
    assert_eq!(
        (book.best_bid(), book.best_ask()),
        (Some(dec!(0.49)), Some(dec!(0.51)))
    );
    let err = clob.book("nope").await.unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
}

fn trade(wallet: &LeaderAddress, tx: &str, timestamp: i64) -> IncomingTrade {
    IncomingTrade {
        proxy_wallet: wallet.clone(),
        transaction_hash: tx.into(),
        asset: "02".into(),
        condition_id: "0xc".into(),
        side: TradeSide::Buy,
        size: Some(dec!(20)),
        price: dec!(0.5),
        usdc_size: Some(dec!(10)),
        outcome: Some("No".into()),
        outcome_index: Some(1),
        title: Some("Q0?".into()),
        timestamp,
        name: None,
        pseudonym: Some("Whale".into()),
    }
}

#[tokio::test]
async fn data_api_trades_since_a_time_oldest_first() {
    let fake = FakePolymarket::spawn().await.unwrap();
    let leader = LeaderAddress::parse(&format!("0x{}", "ab".repeat(20))).unwrap();
    let other = LeaderAddress::parse(&format!("0x{}", "cd".repeat(20))).unwrap();
    fake.add_activity(trade(&leader, "0x00000000a2", 200));
    fake.add_activity(trade(&leader, "0x00000000a1", 100));
    fake.add_activity(trade(&other, "0x00000000b1", 150));
    let data = DataClient::new(&fake.url).unwrap();
    let q = |start| ActivityQuery {
        start,
        limit: 100,
        offset: 0,
    };
    let all = data.trades(&leader, &q(None)).await.unwrap();
    let hashes: Vec<&str> = all.iter().map(|t| t.transaction_hash.as_str()).collect();
    assert_eq!(hashes, ["0x00000000a1", "0x00000000a2"]);
    assert_eq!(
        all[0],
        trade(&leader, "0x00000000a1", 100),
        "every field survives"
    );
    assert_eq!(data.trades(&leader, &q(Some(150))).await.unwrap().len(), 1);
}

async fn next_market_event(rx: &mut mpsc::Receiver<SocketEvent>) -> MarketEvent {
    loop {
        match tokio::time::timeout(WAIT, rx.recv())
            .await
            .expect("an event in time")
        {
            Some(SocketEvent::Market(e)) => return e,
            Some(_) => continue,
            None => panic!("socket task ended"),
        }
    }
}

fn set(tokens: &[&str]) -> BTreeSet<String> {
    tokens.iter().map(|t| t.to_string()).collect()
}

#[tokio::test]
async fn market_socket_subscribes_updates_pings_and_resubscribes_after_a_drop() {
    let fake = FakePolymarket::spawn().await.unwrap();
    fake.set_markets(markets(2));
    let config = SocketConfig {
        ping_interval: Duration::from_millis(100),
        initial_backoff: Duration::from_millis(50),
        ..SocketConfig::new(&fake.ws_url)
    };
    let (socket, mut events) = MarketSocket::spawn(config);
    socket.set_assets(set(&["01", "02"]));

    // The initial dump: the books of both assets, in one array frame.
    let first = fake
        .wait_for_subscription(&["01", "02"], WAIT)
        .await
        .unwrap();
    assert_eq!(
        first.messages[0],
        json!({"assets_ids": ["01", "02"], "type": "market", "initial_dump": true, "custom_feature_enabled": true})
    );
    for _ in 0..2 {
        assert!(matches!(
            next_market_event(&mut events).await,
            MarketEvent::Book(_)
        ));
    }

    // Pushed changes arrive, whether framed as an object or an array.
    for price in [dec!(0.7), dec!(0.71)] {
        fake.push_price_change("01", price);
        let MarketEvent::PriceChange(c) = next_market_event(&mut events).await else {
            panic!()
        };
        let change = &c.price_changes[0];
        assert_eq!((change.asset_id.as_str(), change.price), ("01", price));
        assert_eq!(
            change
                .best_bid
                .zip(change.best_ask)
                .map(|(b, a)| (b + a) / Decimal::TWO),
            Some(price)
        );
    }

    // A new set is sent as a diff on the open connection.
    socket.set_assets(set(&["02", "11"]));
    fake.wait_for_subscription(&["02", "11"], WAIT)
        .await
        .unwrap();
    let updated = tokio::time::timeout(WAIT, async {
        loop {
            let s = fake.sockets()[first.id].clone();
            if s.messages.len() == 3 {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("subscribe and unsubscribe sent");
    assert_eq!(updated.id, first.id, "same connection");
    assert_eq!(
        updated.messages[1],
        json!({"assets_ids": ["11"], "operation": "subscribe"})
    );
    assert_eq!(
        updated.messages[2],
        json!({"assets_ids": ["01"], "operation": "unsubscribe"})
    );
    assert!(!updated.assets.contains("01"));

    // Heartbeat.
    tokio::time::timeout(WAIT, async {
        while fake.sockets()[first.id].pings < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("text PINGs every interval");

    // The server drops the socket: a new connection subscribes to everything again.
    fake.drop_sockets();
    let again = fake
        .wait_for_subscription(&["02", "11"], WAIT)
        .await
        .unwrap();
    assert_ne!(again.id, first.id);
    assert_eq!(
        again.messages[0],
        json!({"assets_ids": ["02", "11"], "type": "market", "initial_dump": true, "custom_feature_enabled": true})
    );
    fake.push_last_trade("11", dec!(0.33));
    loop {
        if let MarketEvent::LastTradePrice(t) = next_market_event(&mut events).await {
            assert_eq!((t.asset_id.as_str(), t.price), ("11", dec!(0.33)));
            break;
        }
    }
}
