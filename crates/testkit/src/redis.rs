//! A private Redis key space per test: a unique prefix on a shared server, so tests
//! run in parallel on one Redis without touching each other's keys.

use std::time::Duration;

const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

#[derive(Debug)]
pub struct TestRedis {
    pub url: String,
    /// Every key of the test starts with `{prefix}:`.
    pub prefix: String,
}

impl TestRedis {
    #[allow(clippy::new_without_default)] // a fresh prefix each time: not a "default" value
    pub fn new() -> TestRedis {
        TestRedis {
            url: std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned()),
            prefix: format!("ts-test-{}", uuid::Uuid::new_v4().simple()),
        }
    }
}

impl Drop for TestRedis {
    // Best effort: a leftover key of a crashed test only costs memory.
    fn drop(&mut self) {
        let _ = delete_prefix(&self.url, &self.prefix);
    }
}

/// Deletes `{prefix}:*` with a SCAN loop (never KEYS, which blocks the server).
fn delete_prefix(url: &str, prefix: &str) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let mut conn = client.get_connection_with_timeout(Duration::from_secs(2))?;
    let pattern = format!("{prefix}:*");
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(500)
            .query(&mut conn)?;
        if !keys.is_empty() {
            redis::cmd("DEL").arg(&keys).exec(&mut conn)?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(conn: &mut redis::Connection, key: &str) {
        redis::cmd("SET").arg(key).arg("v").exec(conn).unwrap();
    }

    fn exists(conn: &mut redis::Connection, key: &str) -> bool {
        redis::cmd("EXISTS").arg(key).query(conn).unwrap()
    }

    #[test]
    fn drop_deletes_only_its_own_keys() {
        let (mine, other) = (TestRedis::new(), TestRedis::new());
        assert_ne!(mine.prefix, other.prefix);
        let mut conn = redis::Client::open(mine.url.as_str())
            .unwrap()
            .get_connection()
            .unwrap();
        // More than one SCAN page.
        for i in 0..1200 {
            set(&mut conn, &format!("{}:k:{i}", mine.prefix));
        }
        let neighbour = format!("{}:k:1", other.prefix);
        set(&mut conn, &neighbour);
        let first = format!("{}:k:0", mine.prefix);
        drop(mine);

        assert!(!exists(&mut conn, &first));
        assert!(exists(&mut conn, &neighbour));
    }
}
