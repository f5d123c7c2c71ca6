//! The notifications stream: append, read after an id, resume, and wait for new ones.

use std::time::Duration;

use redis::streams::StreamRangeReply;

use crate::fixtures::{cache, event, raw, within};

const NO_WAIT: Duration = Duration::ZERO;

#[tokio::test]
async fn events_are_read_after_an_id_and_resume_where_left() {
    let (redis, cache) = cache().await;
    let mut conn = cache.dedicated_connection().await.unwrap();
    assert_eq!(cache.last_event_id().await.unwrap(), None);
    assert!(
        cache
            .read_events(&mut conn, "0", NO_WAIT, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let tp = Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned());
    let mut sent = Vec::new();
    for n in 1..=3 {
        sent.push(cache.append_event(&event(n), tp.clone()).await.unwrap());
    }
    assert!(sent.iter().all(|e| !e.id.is_empty()));
    assert_eq!(
        cache.last_event_id().await.unwrap(),
        Some(sent[2].id.clone())
    );

    let all = cache
        .read_events(&mut conn, "0", NO_WAIT, 10)
        .await
        .unwrap();
    assert_eq!(all, sent);
    let page = cache.read_events(&mut conn, "0", NO_WAIT, 2).await.unwrap();
    assert_eq!(page, sent[..2]);
    // Resuming with the last id seen (Last-Event-ID) gives exactly the rest.
    let rest = cache
        .read_events(&mut conn, &page[1].id, NO_WAIT, 10)
        .await
        .unwrap();
    assert_eq!(rest, sent[2..]);
    assert!(
        cache
            .read_events(&mut conn, &sent[2].id, NO_WAIT, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Stored without its id: the stream id is the id.
    let mut raw = raw(&redis).await;
    let stored: StreamRangeReply = redis::cmd("XRANGE")
        .arg(cache.events_stream())
        .arg("-")
        .arg("+")
        .query_async(&mut raw)
        .await
        .unwrap();
    let payload: String = stored.ids[0].get("payload").unwrap();
    assert!(payload.contains(r#""id":"""#), "{payload}");
}

#[tokio::test]
async fn dollar_waits_for_only_new_events() {
    let (_redis, cache) = cache().await;
    cache.append_event(&event(1), None).await.unwrap();
    let mut conn = cache.dedicated_connection().await.unwrap();

    let reader = {
        let cache = cache.clone();
        tokio::spawn(async move {
            cache
                .read_events(&mut conn, "$", Duration::from_secs(4), 10)
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let new = cache.append_event(&event(2), None).await.unwrap();
    let got = within(reader).await.unwrap().unwrap();
    assert_eq!(got, vec![new]);
}

#[tokio::test]
async fn undecodable_entries_are_skipped() {
    let (redis, cache) = cache().await;
    let mut raw = raw(&redis).await;
    let add_garbage = || {
        redis::cmd("XADD")
            .arg(cache.events_stream())
            .arg("*")
            .arg("payload")
            .arg("{not json")
            .to_owned()
    };
    let garbage: String = add_garbage().query_async(&mut raw).await.unwrap();
    let mut conn = cache.dedicated_connection().await.unwrap();
    assert!(
        cache
            .read_events(&mut conn, "0", NO_WAIT, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let _: String = add_garbage().query_async(&mut raw).await.unwrap();
    let good = cache.append_event(&event(7), None).await.unwrap();
    // Even when a whole batch (count 1) is garbage, the read moves past it.
    let got = cache
        .read_events(&mut conn, &garbage, NO_WAIT, 1)
        .await
        .unwrap();
    assert_eq!(got, vec![good]);
}
