//! Domain types and rules of TradingStack: markets, positions, P&L, TP/SL, copy sizing.
//! No I/O here: the api, the client, the bot and the workers share these types, so the
//! wire format of the REST API is defined exactly once.

pub mod address;
pub mod copy;
pub mod error;
pub mod event;
pub mod market;
pub mod position;
pub mod recommend;
pub mod user;

pub use address::LeaderAddress;
pub use error::{ApiErrorBody, ApiErrorDetail, ValidationError};
pub use rust_decimal::Decimal;
