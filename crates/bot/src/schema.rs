//! The dptree handler tree: access control first, then the user's dialogue; messages
//! go to commands or to what the dialogue waits for, presses to the callbacks.

use teloxide::dispatching::HandlerExt;
use teloxide::dispatching::{
    DpHandlerDescription, UpdateFilterExt, UpdateHandler, UpdateHandlerTracingExt,
};
use teloxide::prelude::*;

use crate::access;
use crate::commands::Command;
use crate::dialogue::{State, Storage};
use crate::handlers::{callbacks, commands, text_input};
use crate::span;

pub fn schema() -> UpdateHandler<anyhow::Error> {
    use dptree::case;

    // Typed answers only in private chats: in a group, other members' messages must
    // not be taken for the amount someone was asked for.
    let typed: dptree::Handler<'static, anyhow::Result<()>, DpHandlerDescription> =
        dptree::filter(|msg: Message| msg.chat.is_private())
            .branch(case![State::TradeAmount { draft }].endpoint(text_input::trade_amount))
            .branch(case![State::TradeTpSl { draft }].endpoint(text_input::trade_tpsl))
            .branch(case![State::CopyAmount { leader }].endpoint(text_input::copy_amount))
            .branch(case![State::PositionTpSl { position }].endpoint(text_input::position_tpsl))
            .endpoint(text_input::not_understood);

    let messages = Update::filter_message()
        .branch(teloxide::filter_command::<Command, _>().endpoint(commands::on_command))
        .branch(typed);

    let presses = Update::filter_callback_query().endpoint(callbacks::on_press);

    dptree::entry()
        .filter_async(access::admit)
        .enter_dialogue::<Update, Storage, State>()
        .branch(messages)
        .branch(presses)
        .instrument_with(span::for_update)
}
