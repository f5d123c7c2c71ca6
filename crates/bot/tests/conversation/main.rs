//! Conversation tests: each drives the real bot (teloxide dispatcher) against the
//! fake Telegram Bot API and the real api on Postgres and Redis, and checks what the
//! user sees and what the API stored. One module per area.

mod proxy;
mod stack;

mod access;
mod api_down;
mod buttons;
mod copy_trading;
mod flood_control;
mod health;
mod markets;
mod notifications;
mod positions;
mod smart_trading;
mod start_help;
mod traces;
