//! Inline keyboards whose buttons carry only `{token}:{index}` (≤ 64 bytes, as
//! Telegram requires). The token names a server-side menu: its owner, its age and
//! what each button means. A press from anyone else, or on a menu that is unknown,
//! too old or already used, is refused and changes nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::choice::Choice;

const TOKEN_LEN: usize = 8;
/// Above this many menus, expired ones are swept on the next build.
const SWEEP_ABOVE: usize = 1_000;

#[derive(Clone)]
pub struct Menus {
    inner: Arc<Mutex<HashMap<String, Menu>>>,
    ttl: Duration,
}

struct Menu {
    owner: i64,
    created: Instant,
    /// The command that shows this menu again, for the "expired" reply.
    origin: &'static str,
    choices: Vec<Choice>,
}

/// A press resolved to its meaning.
#[derive(Debug, Clone)]
pub struct Pressed {
    pub token: String,
    pub choice: Choice,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, used or too old; `origin` is the command to run again when known.
    Expired { origin: Option<&'static str> },
    /// Someone else's menu.
    NotYours,
}

impl Menus {
    pub fn new(ttl: Duration) -> Self {
        Self {
            inner: Arc::default(),
            ttl,
        }
    }

    /// Starts a keyboard for `owner`; `origin` is the command that leads back to it.
    pub fn keyboard(&self, owner: i64, origin: &'static str) -> KeyboardBuilder<'_> {
        KeyboardBuilder {
            menus: self,
            owner,
            origin,
            rows: vec![Vec::new()],
            choices: Vec::new(),
        }
    }

    /// What `data` means for `presser`, or why the press is refused.
    pub fn resolve(&self, data: &str, presser: i64) -> Result<Pressed, Refusal> {
        let unknown = Refusal::Expired { origin: None };
        let (token, index) = data.split_once(':').ok_or(unknown.clone())?;
        let index: usize = index.parse().map_err(|_| unknown.clone())?;
        let mut menus = self.lock();
        let menu = menus.get(token).ok_or(unknown.clone())?;
        if menu.owner != presser {
            return Err(Refusal::NotYours);
        }
        if menu.created.elapsed() > self.ttl {
            let origin = menu.origin;
            menus.remove(token);
            return Err(Refusal::Expired {
                origin: Some(origin),
            });
        }
        let choice = menu.choices.get(index).cloned().ok_or(unknown)?;
        Ok(Pressed {
            token: token.to_string(),
            choice,
        })
    }

    /// Makes every button of the menu `token` stale.
    pub fn retire(&self, token: &str) {
        self.lock().remove(token);
    }

    fn insert(&self, menu: Menu) -> String {
        let mut menus = self.lock();
        if menus.len() > SWEEP_ABOVE {
            let ttl = self.ttl;
            menus.retain(|_, m| m.created.elapsed() <= ttl);
        }
        loop {
            let token: String = rand::rng()
                .sample_iter(Alphanumeric)
                .take(TOKEN_LEN)
                .map(char::from)
                .collect();
            if !menus.contains_key(&token) {
                menus.insert(token.clone(), menu);
                return token;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Menu>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct KeyboardBuilder<'a> {
    menus: &'a Menus,
    owner: i64,
    origin: &'static str,
    rows: Vec<Vec<(String, usize)>>,
    choices: Vec<Choice>,
}

impl KeyboardBuilder<'_> {
    /// Adds a button to the current row.
    pub fn button(mut self, label: impl Into<String>, choice: Choice) -> Self {
        let index = self.choices.len();
        self.choices.push(choice);
        self.rows
            .last_mut()
            .expect("there is always a row")
            .push((label.into(), index));
        self
    }

    /// Starts a new row (an empty current row is reused).
    pub fn row(mut self) -> Self {
        if self.rows.last().is_some_and(|r| !r.is_empty()) {
            self.rows.push(Vec::new());
        }
        self
    }

    /// Registers the menu and returns the keyboard.
    pub fn build(self) -> InlineKeyboardMarkup {
        let token = self.menus.insert(Menu {
            owner: self.owner,
            created: Instant::now(),
            origin: self.origin,
            choices: self.choices,
        });
        let rows = self.rows.into_iter().filter(|r| !r.is_empty()).map(|row| {
            row.into_iter()
                .map(|(label, index)| {
                    let data = format!("{token}:{index}");
                    debug_assert!(data.len() <= 64, "callback_data over 64 bytes");
                    InlineKeyboardButton::callback(label, data)
                })
                .collect::<Vec<_>>()
        });
        InlineKeyboardMarkup::new(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::InlineKeyboardButtonKind;

    fn data(markup: &InlineKeyboardMarkup, row: usize, col: usize) -> String {
        match &markup.inline_keyboard[row][col].kind {
            InlineKeyboardButtonKind::CallbackData(d) => d.clone(),
            other => panic!("not a callback button: {other:?}"),
        }
    }

    #[test]
    fn buttons_resolve_for_their_owner_only() {
        let menus = Menus::new(Duration::from_secs(60));
        let kb = menus
            .keyboard(7, "/positions")
            .button("a", Choice::MyCopies)
            .row()
            .button("b", Choice::Dismiss("x".into()))
            .build();
        assert_eq!(kb.inline_keyboard.len(), 2);
        let b = data(&kb, 1, 0);
        assert!(b.len() <= 64);
        assert_eq!(
            menus.resolve(&b, 7).unwrap().choice,
            Choice::Dismiss("x".into())
        );
        assert_eq!(menus.resolve(&b, 8).unwrap_err(), Refusal::NotYours);
    }

    #[test]
    fn unknown_used_and_old_menus_are_expired() {
        let menus = Menus::new(Duration::from_millis(20));
        assert_eq!(
            menus.resolve("nonsense", 1).unwrap_err(),
            Refusal::Expired { origin: None }
        );
        let kb = menus
            .keyboard(1, "/markets")
            .button("a", Choice::MyCopies)
            .build();
        let a = data(&kb, 0, 0);
        let pressed = menus.resolve(&a, 1).unwrap();
        menus.retire(&pressed.token);
        assert_eq!(
            menus.resolve(&a, 1).unwrap_err(),
            Refusal::Expired { origin: None }
        );

        let kb = menus
            .keyboard(1, "/markets")
            .button("a", Choice::MyCopies)
            .build();
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(
            menus.resolve(&data(&kb, 0, 0), 1).unwrap_err(),
            Refusal::Expired {
                origin: Some("/markets")
            }
        );
    }
}
