//! What the bot waits for the user to type, per chat (teloxide's in-memory dialogue).

use teloxide::dispatching::dialogue::{Dialogue, InMemStorage};

use crate::choice::{LeaderRef, PositionRef, TradeDraft};

#[derive(Debug, Clone, Default)]
pub enum State {
    /// Nothing to type: commands and buttons drive the conversation.
    #[default]
    Idle,
    /// A custom amount for a purchase.
    TradeAmount { draft: TradeDraft },
    /// Take-profit and stop-loss for a purchase.
    TradeTpSl { draft: TradeDraft },
    /// A custom amount per copied trade.
    CopyAmount { leader: LeaderRef },
    /// New take-profit and stop-loss for an open position.
    PositionTpSl { position: PositionRef },
}

pub type Storage = InMemStorage<State>;
pub type BotDialogue = Dialogue<State, Storage>;
