//! Who may talk to the bot and how fast: the optional allow-list and a per-user rate
//! limit. A refused update gets a short reply (a button press is always answered)
//! and never reaches the API.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use teloxide::prelude::*;
use teloxide::types::UpdateKind;

use crate::telegram;
use crate::texts;

/// The rate limit's window: one "slow down" per user per window at most.
const WINDOW: Duration = Duration::from_secs(60);

pub struct Access {
    allowed: Option<HashSet<i64>>,
    limiter: DefaultKeyedRateLimiter<i64>,
    warned: Mutex<HashMap<i64, Instant>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Admit,
    /// Not on the allow-list.
    Private,
    /// Over the rate limit; `warn` for the first excess of the window.
    SlowDown {
        warn: bool,
    },
}

impl Access {
    pub fn new(allowed: Option<Vec<i64>>, per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        Self {
            allowed: allowed.map(|ids| ids.into_iter().collect()),
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            warned: Mutex::default(),
        }
    }

    pub fn check(&self, user_id: i64) -> Verdict {
        if self
            .allowed
            .as_ref()
            .is_some_and(|ids| !ids.contains(&user_id))
        {
            return Verdict::Private;
        }
        if self.limiter.check_key(&user_id).is_ok() {
            return Verdict::Admit;
        }
        let mut warned = self.warned.lock().unwrap_or_else(|e| e.into_inner());
        warned.retain(|_, at| at.elapsed() < WINDOW);
        let warn = !warned.contains_key(&user_id);
        if warn {
            warned.insert(user_id, Instant::now());
            // Keep the limiter's memory to users seen lately.
            self.limiter.retain_recent();
        }
        Verdict::SlowDown { warn }
    }
}

/// dptree filter: true lets the update through; otherwise the user is told why.
pub async fn admit(bot: Bot, access: Arc<Access>, update: Update) -> bool {
    let Some(user) = update.from() else {
        return false;
    };
    let verdict = access.check(user.id.0 as i64);
    let (text, alert) = match verdict {
        Verdict::Admit => return true,
        Verdict::Private => (Some(texts::PRIVATE), true),
        Verdict::SlowDown { warn: true } => (Some(texts::SLOW_DOWN), true),
        Verdict::SlowDown { warn: false } => (None, false),
    };
    tracing::info!(user_id = user.id.0, ?verdict, "update refused");
    let sent = match &update.kind {
        UpdateKind::CallbackQuery(q) => telegram::answer(&bot, q.id.clone(), text, alert).await,
        UpdateKind::Message(m) => match text {
            Some(text) => telegram::send(&bot, m.chat.id, crate::screen::Screen::text(text))
                .await
                .map(drop),
            None => Ok(()),
        },
        _ => Ok(()),
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, "could not tell a refused user why");
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_and_rate_limit() {
        let access = Access::new(Some(vec![1, 2]), 2);
        assert_eq!(access.check(3), Verdict::Private);
        assert_eq!(access.check(1), Verdict::Admit);
        assert_eq!(access.check(1), Verdict::Admit);
        assert_eq!(access.check(1), Verdict::SlowDown { warn: true });
        assert_eq!(access.check(1), Verdict::SlowDown { warn: false });
        assert_eq!(access.check(2), Verdict::Admit, "limits are per user");
    }
}
