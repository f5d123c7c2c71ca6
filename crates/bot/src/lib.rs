//! The TradingStack Telegram bot. It owns the conversation and nothing else: no
//! database, no Redis; every command and button goes through the typed API client
//! (`SKIP_DB=true` by construction). A library so tests drive the real dispatcher
//! in-process; `main.rs` only wires configuration and telemetry.

mod access;
mod backoff;
mod choice;
mod commands;
mod context;
mod dialogue;
mod failure;
mod flows;
mod format;
mod handle;
mod handlers;
mod health;
mod input;
mod menus;
mod notify;
mod options;
mod schema;
mod screen;
mod service;
mod span;
mod startup;
mod telegram;
pub mod texts;

pub use backoff::Backoff;
pub use commands::Command;
pub use handle::{BotHandle, spawn};
pub use options::Options;
pub use service::{run, run_with};
