//! Polymarket's public APIs as the workers use them (formats: shared/reference/polymarket.md):
//!
//! * [`gamma`]: the market catalogue, paged with the keyset endpoint;
//! * [`clob`]: prices, midpoints and order books over REST;
//! * [`ws`]: the CLOB market WebSocket, with heartbeats, resubscription and reconnects;
//! * [`data`]: a wallet's activity (the trades copy trading follows);
//! * [`signing`]: the L2 HMAC headers of authenticated CLOB calls.

mod backoff;
pub mod clob;
pub mod data;
mod error;
pub mod gamma;
mod http;
mod num;
pub mod signing;
pub mod ws;

pub use backoff::Backoff;
pub use error::PolymarketError;

pub type Result<T, E = PolymarketError> = std::result::Result<T, E>;
