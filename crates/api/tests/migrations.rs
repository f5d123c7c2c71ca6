use std::sync::Arc;

use testkit::{TestApi, TestDatabase, TestRedis};

#[tokio::test]
async fn two_replicas_starting_together_migrate_once() {
    let db = Arc::new(TestDatabase::create().await.unwrap());
    let redis = Arc::new(TestRedis::new());
    let (a, b) = tokio::join!(
        TestApi::spawn_on(db.clone(), redis.clone()),
        TestApi::spawn_on(db, redis)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(a.state.store.pool())
        .await
        .unwrap();
    let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../store/migrations"))
        .unwrap()
        .count() as i64;
    assert_eq!(applied, on_disk);
    assert!(b.client.ready().await.is_ok());
}
