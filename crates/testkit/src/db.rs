//! A fresh Postgres database per test, dropped when the test ends, so tests run in
//! parallel on one server without seeing each other's rows.

use std::fmt;

use anyhow::Context as _;
use sqlx::{AssertSqlSafe, Connection as _};
use url::Url;

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub struct TestDatabase {
    /// URL of the new database: the admin URL with its path replaced.
    pub url: String,
    pub name: String,
    admin_url: String,
}

impl TestDatabase {
    /// Creates `ts_test_<uuid>` on the server of `TEST_DATABASE_URL`. No migrations:
    /// whoever owns the schema runs them.
    pub async fn create() -> anyhow::Result<TestDatabase> {
        let admin_url =
            std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        let admin = Url::parse(&admin_url).context("TEST_DATABASE_URL is not a valid URL")?;
        let name = format!("ts_test_{}", uuid::Uuid::new_v4().simple());

        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .with_context(|| format!("connecting to Postgres at {}", server(&admin)))?;
        // The name is ours (letters, digits, underscore), so quoting it is enough.
        sqlx::raw_sql(AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
            .execute(&mut conn)
            .await
            .with_context(|| format!("creating database {name} at {}", server(&admin)))?;
        let _ = conn.close().await;

        Ok(TestDatabase {
            url: database_url(&admin, &name).into(),
            name,
            admin_url,
        })
    }
}

/// The admin URL pointing at another database: same server, credentials and params.
fn database_url(admin: &Url, name: &str) -> Url {
    let mut url = admin.clone();
    url.set_path(&format!("/{name}"));
    url
}

/// `host:port` of a URL: what errors may name without leaking credentials.
fn server(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or("?"),
        url.port().unwrap_or(5432)
    )
}

impl fmt::Debug for TestDatabase {
    // By hand so that a `{:?}` in a failing test never prints the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let server = Url::parse(&self.url).map(|u| server(&u));
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .field("server", &server.as_deref().unwrap_or("?"))
            .finish_non_exhaustive()
    }
}

impl Drop for TestDatabase {
    // Drop runs inside #[tokio::test] where blocking on the test's runtime would
    // panic, so the DROP runs on its own thread with its own small runtime.
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let dropper = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await {
                    let sql = format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#);
                    let _ = sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut admin).await;
                    let _ = admin.close().await;
                }
            });
        });
        let _ = dropper.join();
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Connection as _;

    use super::*;

    #[test]
    fn the_url_keeps_server_credentials_and_params() {
        let admin =
            Url::parse("postgres://u:secret@db.example:6543/postgres?sslmode=require").unwrap();
        assert_eq!(
            database_url(&admin, "ts_test_1").as_str(),
            "postgres://u:secret@db.example:6543/ts_test_1?sslmode=require"
        );
    }

    #[tokio::test]
    async fn a_database_is_created_usable_and_dropped() {
        let db = TestDatabase::create().await.unwrap();
        assert!(
            !format!("{db:?}").contains("postgres://"),
            "Debug hides the URL"
        );

        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let current: String = sqlx::query_scalar("SELECT current_database()")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(current, db.name);
        // Still connected: the drop must force the session out.
        let (name, admin_url) = (db.name.clone(), db.admin_url.clone());
        drop(db);

        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = $1")
            .bind(&name)
            .fetch_one(&mut admin)
            .await
            .unwrap();
        assert_eq!(left, 0);
    }
}
