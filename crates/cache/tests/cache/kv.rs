//! Typed entries: TTLs, hit/miss counters, deletion by key and by pattern.

use std::time::Duration;

use futures::future::try_join_all;
use testkit::TestRedis;
use ts_cache::{Cache, CacheStatsSnapshot};

use crate::fixtures::cache;

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn set_json_sets_a_ttl_and_reads_count_hits_and_misses() {
    let (_redis, cache) = cache().await;
    let key = cache.key("markets:page:1");
    cache.set_json(&key, &vec![1, 2, 3], MINUTE).await.unwrap();

    let ttl = cache.ttl(&key).await.unwrap();
    assert!((1..=60).contains(&ttl), "ttl {ttl}");
    assert_eq!(
        cache.get_json::<Vec<i32>>(&key).await.unwrap(),
        Some(vec![1, 2, 3])
    );
    assert_eq!(
        cache.get_raw(&key).await.unwrap().as_deref(),
        Some("[1,2,3]")
    );
    assert_eq!(
        cache
            .get_json::<Vec<i32>>(&cache.key("absent"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(cache.get_raw(&cache.key("absent")).await.unwrap(), None);

    let stats = cache.stats();
    assert_eq!(stats, CacheStatsSnapshot { hits: 2, misses: 2 });
    // Clones share the counters.
    assert_eq!(cache.clone().stats(), stats);
}

#[tokio::test]
async fn an_undecodable_entry_is_a_miss_and_is_deleted() {
    let (_redis, cache) = cache().await;
    let key = cache.key("user:1");
    cache.set_raw(&key, "not json", MINUTE).await.unwrap();

    assert_eq!(cache.get_json::<Vec<i32>>(&key).await.unwrap(), None);
    assert_eq!(cache.stats(), CacheStatsSnapshot { hits: 0, misses: 1 });
    assert_eq!(cache.ttl(&key).await.unwrap(), -2, "deleted");
}

#[tokio::test]
async fn ttls_round_up_and_zero_is_refused() {
    let (_redis, cache) = cache().await;
    let key = cache.key("short");
    cache
        .set_raw(&key, "v", Duration::from_millis(1500))
        .await
        .unwrap();
    assert_eq!(cache.ttl(&key).await.unwrap(), 2);
    assert!(cache.set_raw(&key, "v", Duration::ZERO).await.is_err());
}

#[tokio::test]
async fn delete_counts_existing_keys() {
    let (_redis, cache) = cache().await;
    let (a, b) = (cache.key("a"), cache.key("b"));
    cache.set_raw(&a, "1", MINUTE).await.unwrap();
    assert_eq!(cache.delete(&[a.clone(), b]).await.unwrap(), 1);
    assert_eq!(cache.delete(&[]).await.unwrap(), 0);
    assert_eq!(cache.get_raw(&a).await.unwrap(), None);
}

async fn fill(cache: &Cache, suffixes: impl Iterator<Item = String>) {
    try_join_all(suffixes.map(|s| {
        let key = cache.key(&s);
        async move { cache.set_raw(&key, "v", MINUTE).await }
    }))
    .await
    .unwrap();
}

#[tokio::test]
async fn delete_pattern_walks_many_keys_and_only_its_own() {
    let (_redis, cache) = cache().await;
    // A neighbour with the same suffixes under another prefix must survive.
    let other_redis = TestRedis::new();
    let other = Cache::connect(&other_redis.url, &other_redis.prefix)
        .await
        .unwrap();

    // More than one SCAN page (COUNT 500) and more than 1000 keys.
    fill(&cache, (0..1500).map(|i| format!("markets:{i}"))).await;
    fill(&cache, ["positions:1".to_owned()].into_iter()).await;
    fill(&other, (0..3).map(|i| format!("markets:{i}"))).await;

    let deleted = cache.delete_pattern(&cache.key("markets:*")).await.unwrap();
    assert_eq!(deleted, 1500);
    assert_eq!(cache.get_raw(&cache.key("markets:7")).await.unwrap(), None);
    assert!(
        cache
            .get_raw(&cache.key("positions:1"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        other
            .get_raw(&other.key("markets:1"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        cache.delete_pattern(&cache.key("markets:*")).await.unwrap(),
        0
    );
}
