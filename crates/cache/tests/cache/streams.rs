//! The leader-trade stream with a consumer group: read, ack, and take over what a
//! dead consumer never acked.

use std::time::{Duration, Instant};

use ts_core::copy::LeaderTradeMessage;

use crate::fixtures::{cache, trade_message, within};

const GROUP: &str = "copy-trading";
const NO_WAIT: Duration = Duration::ZERO;

#[tokio::test]
async fn a_group_reads_new_entries_and_acks_them() {
    let (_redis, cache) = cache().await;
    let stream = cache.leader_trades_stream();
    assert_eq!(stream, cache.key("stream:leader-trades"));

    cache
        .append_leader_trade(&trade_message(0, None))
        .await
        .unwrap();
    cache.ensure_group(&stream, GROUP).await.unwrap();
    cache.ensure_group(&stream, GROUP).await.unwrap(); // BUSYGROUP is fine

    // The group starts at the end: only entries appended after it are delivered.
    let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    let sent = trade_message(1, Some(tp));
    let id = cache.append_leader_trade(&sent).await.unwrap();
    let plain = cache
        .append_leader_trade(&trade_message(2, None))
        .await
        .unwrap();
    assert_eq!(cache.stream_len(&stream).await.unwrap(), 3);

    let got = cache
        .read_group(&stream, GROUP, "w1", 10, NO_WAIT)
        .await
        .unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].id, id);
    assert_eq!(got[0].traceparent.as_deref(), Some(tp));
    assert_eq!(
        serde_json::from_str::<LeaderTradeMessage>(&got[0].payload).unwrap(),
        sent
    );
    assert_eq!(got[1].id, plain);
    assert_eq!(got[1].traceparent, None);

    let ids: Vec<String> = got.into_iter().map(|e| e.id).collect();
    assert_eq!(cache.ack(&stream, GROUP, &ids).await.unwrap(), 2);
    assert_eq!(cache.ack(&stream, GROUP, &ids).await.unwrap(), 0);
    let again = cache
        .read_group(&stream, GROUP, "w1", 10, NO_WAIT)
        .await
        .unwrap();
    assert!(again.is_empty());
    let claimed = cache
        .autoclaim(&stream, GROUP, "w2", NO_WAIT, 10)
        .await
        .unwrap();
    assert!(claimed.is_empty(), "acked entries are not pending");
}

#[tokio::test]
async fn unacked_entries_are_claimed_by_another_consumer_after_min_idle() {
    let (_redis, cache) = cache().await;
    let stream = cache.leader_trades_stream();
    cache.ensure_group(&stream, GROUP).await.unwrap();
    for n in 0..5 {
        cache
            .append_leader_trade(&trade_message(n, None))
            .await
            .unwrap();
    }
    // w1 reads and "dies" without acking.
    let read = cache
        .read_group(&stream, GROUP, "w1", 10, NO_WAIT)
        .await
        .unwrap();
    assert_eq!(read.len(), 5);

    let min_idle = Duration::from_millis(300);
    let early = cache
        .autoclaim(&stream, GROUP, "w2", min_idle, 10)
        .await
        .unwrap();
    assert!(early.is_empty(), "not idle long enough yet");

    tokio::time::sleep(min_idle + Duration::from_millis(50)).await;
    let first = cache
        .autoclaim(&stream, GROUP, "w2", min_idle, 3)
        .await
        .unwrap();
    assert_eq!(first.len(), 3, "count caps one call");
    let rest = cache
        .autoclaim(&stream, GROUP, "w2", Duration::ZERO, 10)
        .await
        .unwrap();
    assert_eq!(
        rest.len(),
        5,
        "w2 now owns all five (it re-claims its own too)"
    );
    assert_eq!(
        rest.iter().map(|e| &e.id).collect::<Vec<_>>(),
        read.iter().map(|e| &e.id).collect::<Vec<_>>()
    );
    assert_eq!(rest[0].payload, read[0].payload);

    let ids: Vec<String> = rest.into_iter().map(|e| e.id).collect();
    assert_eq!(cache.ack(&stream, GROUP, &ids).await.unwrap(), 5);
}

#[tokio::test]
async fn a_blocking_read_waits_for_new_entries_without_stalling_other_commands() {
    let (_redis, cache) = cache().await;
    let stream = cache.leader_trades_stream();
    cache.ensure_group(&stream, GROUP).await.unwrap();

    let reader = {
        let (cache, stream) = (cache.clone(), stream.clone());
        tokio::spawn(async move {
            cache
                .read_group(&stream, GROUP, "w1", 10, Duration::from_secs(4))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The shared connection still answers at once while the read blocks.
    let started = Instant::now();
    cache.ping().await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(1));

    let id = cache
        .append_leader_trade(&trade_message(9, None))
        .await
        .unwrap();
    let got = within(reader).await.unwrap().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, id);

    // With nothing new, a short block returns empty after about that long.
    let started = Instant::now();
    let none = cache
        .read_group(&stream, GROUP, "w1", 10, Duration::from_millis(200))
        .await
        .unwrap();
    assert!(none.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(150));
}
