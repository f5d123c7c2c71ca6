//! The whole conversation under test: the real api (Postgres + Redis) behind a proxy,
//! the fake Telegram Bot API, and the real bot (teloxide dispatcher) between them.

use std::collections::HashMap;
use std::time::Duration;

use bot::{Backoff, BotHandle, Options};
use rust_decimal::Decimal;
use testkit::TestApi;
use testkit::api::{binary_market, no_token, yes_token};
use testkit::telegram::{FakeTelegram, FakeUser, TEST_BOT_TOKEN};
use ts_config::BotSettings;
use ts_core::user::UpsertUser;

use crate::proxy::{Proxy, addr_of};

pub struct Stack {
    pub api: TestApi,
    pub telegram: FakeTelegram,
    pub proxy: Proxy,
    pub bot: BotHandle,
}

pub struct StackBuilder {
    vars: HashMap<String, String>,
    menu_ttl: Option<Duration>,
    api_down_at_start: bool,
}

impl Stack {
    pub async fn start() -> Stack {
        Stack::builder().start().await
    }

    pub fn builder() -> StackBuilder {
        StackBuilder {
            vars: HashMap::new(),
            menu_ttl: None,
            api_down_at_start: false,
        }
    }

    pub fn user(&self, id: i64, first_name: &str) -> FakeUser {
        self.telegram.user(id, first_name)
    }

    /// Replaces the api by a new one on the same database and Redis prefix, reached
    /// through the same proxy URL.
    pub async fn restart_api(&mut self) {
        let (db, redis) = (self.api.db.clone(), self.api.redis.clone());
        let next = TestApi::spawn_on(db, redis).await.unwrap();
        self.proxy.bring_up(addr_of(&next.base_url));
        self.api = next;
    }

    pub async fn ready_status(&self) -> (u16, serde_json::Value) {
        let resp = reqwest::get(self.bot.health_url("/health/ready"))
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    /// Waits until the bot reports ready (API answered, getMe accepted).
    pub async fn wait_ready(&self) {
        for _ in 0..300 {
            if self.ready_status().await.0 == 200 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the bot did not become ready: {:?}",
            self.ready_status().await
        );
    }
}

impl StackBuilder {
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    pub fn menu_ttl(mut self, ttl: Duration) -> Self {
        self.menu_ttl = Some(ttl);
        self
    }

    /// The proxy refuses connections until the test brings the api up.
    pub fn api_down_at_start(mut self) -> Self {
        self.api_down_at_start = true;
        self
    }

    pub async fn start(self) -> Stack {
        let _ = ts_telemetry::init("bot-test", None);
        let api = TestApi::spawn().await.unwrap();
        let proxy = Proxy::start(addr_of(&api.base_url)).await;
        if self.api_down_at_start {
            proxy.take_down();
        }
        let telegram = FakeTelegram::start().await.unwrap();
        let mut vars = HashMap::from([
            ("SKIP_DB".to_string(), "true".to_string()),
            ("API_URL".to_string(), proxy.url()),
            (
                "API_TOKEN".to_string(),
                testkit::api::TEST_API_TOKEN.to_string(),
            ),
            ("TELEGRAM_BOT_TOKEN".to_string(), TEST_BOT_TOKEN.to_string()),
            ("TELEGRAM_API_URL".to_string(), telegram.url().to_string()),
            // High enough that only the rate-limit test meets it.
            ("BOT_RATE_LIMIT_PER_MINUTE".to_string(), "1000".to_string()),
        ]);
        vars.extend(self.vars);
        let settings = BotSettings::from_vars(&vars).unwrap();
        let fast = Backoff::new(Duration::from_millis(50), Duration::from_millis(500));
        let mut options = Options {
            startup_backoff: fast,
            events_backoff: fast,
            api_retries: 1,
            ..Options::default()
        };
        if let Some(ttl) = self.menu_ttl {
            options.menu_ttl = ttl;
        }
        let bot = bot::spawn(settings, options).await.unwrap();
        let stack = Stack {
            api,
            telegram,
            proxy,
            bot,
        };
        if !self.api_down_at_start {
            stack.wait_ready().await;
        }
        stack
    }
}

/// A binary market "Yes"/"No" with live prices `yes` and `1 - yes`.
pub async fn seed_market(api: &TestApi, id: &str, question: &str, volume: u32, yes: Decimal) {
    api.seed_markets(&[binary_market(id, question, Decimal::from(volume))])
        .await
        .unwrap();
    set_prices(api, id, yes).await;
}

pub async fn set_prices(api: &TestApi, id: &str, yes: Decimal) {
    api.set_price(&yes_token(id), yes).await.unwrap();
    api.set_price(&no_token(id), Decimal::ONE - yes)
        .await
        .unwrap();
}

pub async fn register(api: &TestApi, user: &FakeUser) {
    api.client
        .upsert_user(&UpsertUser {
            telegram_id: user.id(),
            username: user.info().username.clone(),
            first_name: Some(user.info().first_name.clone()),
            wallet: None,
        })
        .await
        .unwrap();
}
