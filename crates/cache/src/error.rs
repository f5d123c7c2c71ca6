#[derive(thiserror::Error, Debug)]
pub enum CacheError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("cache json: {0}")]
    Json(#[from] serde_json::Error),
}
