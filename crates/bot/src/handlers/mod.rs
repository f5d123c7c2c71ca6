//! dptree endpoints: they take what they need by injection, run a flow and show its
//! screen. API failures become a reply; only Telegram failures are errors.

pub mod callbacks;
pub mod commands;
pub mod text_input;

pub type HandlerResult = anyhow::Result<()>;
