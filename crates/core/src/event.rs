use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::copy::{Allocation, LeaderTrade};
use crate::position::Position;

/// A notification streamed by `GET /api/v1/events` (server-sent events: the SSE
/// `event` is `type`, the `id` resumes the stream with `Last-Event-ID`).
// Events are built once and serialised straight away, so variant size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    PositionOpened {
        position: Position,
    },
    PositionUpdated {
        position: Position,
    },
    PositionClosed {
        position: Position,
    },
    /// A position closed because its take-profit or stop-loss was crossed.
    TpSlHit {
        position: Position,
    },
    /// A follower's position was opened by copying a leader's trade.
    CopyTradeExecuted {
        position: Position,
        trade: LeaderTrade,
    },
    AllocationCreated {
        allocation: Allocation,
    },
    AllocationStopped {
        allocation: Allocation,
    },
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PositionOpened { .. } => "position_opened",
            Self::PositionUpdated { .. } => "position_updated",
            Self::PositionClosed { .. } => "position_closed",
            Self::TpSlHit { .. } => "tp_sl_hit",
            Self::CopyTradeExecuted { .. } => "copy_trade_executed",
            Self::AllocationCreated { .. } => "allocation_created",
            Self::AllocationStopped { .. } => "allocation_stopped",
        }
    }

    /// The Telegram user the event is about.
    pub fn telegram_id(&self) -> i64 {
        match self {
            Self::PositionOpened { position }
            | Self::PositionUpdated { position }
            | Self::PositionClosed { position }
            | Self::TpSlHit { position }
            | Self::CopyTradeExecuted { position, .. } => position.telegram_id,
            Self::AllocationCreated { allocation } | Self::AllocationStopped { allocation } => {
                allocation.telegram_id
            }
        }
    }
}

/// An event as stored in the events stream and sent over SSE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventEnvelope {
    /// Stream id; pass it back as `Last-Event-ID` to resume.
    pub id: String,
    pub at: DateTime<Utc>,
    /// W3C trace context of the request that caused the event.
    pub traceparent: Option<String>,
    pub event: Event,
}
