//! What a button means. Kept server-side (see `menus`), so a button carries only a
//! short token and can hold as much context as a step needs.

use rust_decimal::Decimal;
use ts_core::LeaderAddress;
use ts_core::position::PositionSource;
use uuid::Uuid;

use crate::input::TpSl;

#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// A main-menu entry: the same as its command.
    Section(Section),
    /// A page of /markets; `trail` holds the cursors of the pages up to this one.
    MarketsPage {
        search: Option<String>,
        trail: Vec<Option<String>>,
    },
    /// A market card with its outcomes and prices.
    OpenMarket {
        market_id: String,
        source: PositionSource,
        /// The outcome smart trading suggests, marked on the card.
        suggested: Option<String>,
    },
    /// An outcome picked: ask the amount.
    Buy(TradeDraft),
    /// A preset amount, or `None` to type one.
    TradeAmount {
        draft: TradeDraft,
        amount: Option<Decimal>,
    },
    /// Skip TP/SL (`set` false) or type them.
    TradeTpSl {
        draft: TradeDraft,
        set: bool,
    },
    TradeConfirm(TradeDraft),
    SetTpSl(PositionRef),
    Close(PositionRef),
    CloseConfirm(PositionRef),
    Leader(LeaderRef),
    /// A preset amount per copied trade, or `None` to type one.
    CopyAmount {
        leader: LeaderRef,
        amount: Option<Decimal>,
    },
    CopyConfirm {
        leader: LeaderRef,
        amount: Decimal,
    },
    MyCopies,
    Stop(AllocationRef),
    StopConfirm(AllocationRef),
    /// Cancel: replace the message with this text and forget any typed input.
    Dismiss(String),
}

impl Choice {
    /// Acting on it is final: its whole keyboard stops working once it succeeded, so
    /// a second tap cannot repeat the write.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::TradeConfirm(_)
                | Self::CloseConfirm(_)
                | Self::CopyConfirm { .. }
                | Self::StopConfirm(_)
                | Self::Dismiss(_)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Markets,
    Positions,
    CopyTrading,
    SmartTrading,
    TpSl,
    Help,
}

/// A purchase being put together, step by step.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeDraft {
    pub market_id: String,
    pub question: String,
    pub outcome: String,
    /// The outcome's last price when the card was shown.
    pub price: Option<Decimal>,
    pub source: PositionSource,
    pub amount: Option<Decimal>,
    pub tpsl: TpSl,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PositionRef {
    pub id: Uuid,
    /// `Yes — Will it rain tomorrow?`
    pub label: String,
    pub entry_price: Decimal,
    pub current_price: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeaderRef {
    pub address: LeaderAddress,
    /// `Whale (0xaaaa…aaaa)`
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AllocationRef {
    pub id: Uuid,
    pub label: String,
}
