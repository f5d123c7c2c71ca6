//! The CLOB market WebSocket (`/ws/market`): typed events, subscription messages, and a
//! [`MarketSocket`] that keeps one connection alive and subscribed.

mod client;
mod messages;
mod subscription;

pub use client::{MarketSocket, SocketConfig, SocketEvent};
pub use messages::{
    BestBidAsk, BookEvent, LastTradePrice, MarketEvent, MarketResolved, PriceChange,
    PriceChangeEvent, TickSizeChange, parse_frame,
};
pub use subscription::{initial_subscription, subscription_update};
