//! What every handler shares: the API client, the menus behind the buttons, which
//! users are known to be registered, and the positions the bot itself just reported.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use api_client::{ApiClient, ApiError};
use teloxide::types::User as TgUser;
use tokio::sync::Notify;
use ts_core::user::{UpsertUser, User};
use uuid::Uuid;

use crate::menus::Menus;

/// How long a reply suppresses the event notification about the same position.
const OWN_EVENT_WINDOW: Duration = Duration::from_secs(300);
/// Longest wait of the notifier for a user's write to finish.
const OWN_WRITE_WAIT: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub struct Ctx {
    pub api: ApiClient,
    pub menus: Menus,
    registered: Arc<Mutex<HashSet<i64>>>,
    pub own_events: OwnEvents,
}

impl Ctx {
    pub fn new(api: ApiClient, menus: Menus) -> Self {
        Self {
            api,
            menus,
            registered: Arc::default(),
            own_events: OwnEvents::default(),
        }
    }

    /// Registers (or refreshes) the user in the API.
    pub async fn register(&self, user: &TgUser) -> Result<User, ApiError> {
        let stored = self
            .api
            .upsert_user(&UpsertUser {
                telegram_id: user_id(user),
                username: user.username.clone(),
                first_name: Some(user.first_name.clone()),
                wallet: None,
            })
            .await?;
        lock(&self.registered).insert(stored.telegram_id);
        Ok(stored)
    }

    /// Registers the user before a write, once per process: a user may trade
    /// without having sent /start (e.g. after the bot was reinstalled).
    pub async fn ensure_registered(&self, user: &TgUser) -> Result<(), ApiError> {
        if lock(&self.registered).contains(&user_id(user)) {
            return Ok(());
        }
        self.register(user).await.map(drop)
    }
}

/// The API's user id is the Telegram user id.
pub fn user_id(user: &TgUser) -> i64 {
    user.id.0 as i64
}

/// Positions whose opening or closing the user already saw as the bot's reply, so the
/// matching event does not notify them twice. The API emits the event before it
/// answers the write, so the notifier waits for a user's writes in flight to finish
/// before it decides.
#[derive(Clone, Default)]
pub struct OwnEvents {
    inner: Arc<Mutex<OwnInner>>,
    finished: Arc<Notify>,
}

#[derive(Default)]
struct OwnInner {
    reported: HashMap<Uuid, Instant>,
    writing: HashMap<i64, usize>,
}

/// A write of the user's in flight; dropping it ends the write.
pub struct Writing {
    own: OwnEvents,
    user: i64,
}

impl OwnEvents {
    /// Marks a write by `user` that may emit an event about one of their positions.
    pub fn writing(&self, user: i64) -> Writing {
        *lock(&self.inner).writing.entry(user).or_default() += 1;
        Writing {
            own: self.clone(),
            user,
        }
    }

    /// The bot showed this position's opening or closing as a reply.
    pub fn remember(&self, position: Uuid) {
        let mut inner = lock(&self.inner);
        inner
            .reported
            .retain(|_, at| at.elapsed() < OWN_EVENT_WINDOW);
        inner.reported.insert(position, Instant::now());
    }

    /// True (once) when the bot itself reported this position recently; first waits
    /// (boundedly) for the user's writes in flight.
    pub async fn is_own(&self, user: i64, position: Uuid) -> bool {
        let deadline = tokio::time::Instant::now() + OWN_WRITE_WAIT;
        loop {
            let finished = self.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            if lock(&self.inner).writing.get(&user).copied().unwrap_or(0) == 0 {
                break;
            }
            if tokio::time::timeout_at(deadline, finished).await.is_err() {
                break;
            }
        }
        lock(&self.inner)
            .reported
            .remove(&position)
            .is_some_and(|at| at.elapsed() < OWN_EVENT_WINDOW)
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        let mut inner = lock(&self.own.inner);
        if let Some(n) = inner.writing.get_mut(&self.user) {
            *n -= 1;
            if *n == 0 {
                inner.writing.remove(&self.user);
            }
        }
        drop(inner);
        self.own.finished.notify_waiters();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
