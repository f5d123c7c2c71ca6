use futures::StreamExt;

use crate::fixtures::{cache, within};

#[tokio::test]
async fn a_subscriber_receives_what_is_published_after_subscribe() {
    let (_redis, cache) = cache().await;
    let channel = cache.key("notices");
    let mut messages = cache.subscribe(&channel).await.unwrap();
    cache.publish(&cache.key("elsewhere"), "no").await.unwrap();
    cache.publish(&channel, "hello").await.unwrap();

    assert_eq!(within(messages.next()).await.as_deref(), Some("hello"));
}
