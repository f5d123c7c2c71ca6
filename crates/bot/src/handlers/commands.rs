//! Commands: each shows the first screen of its area as a new message.

use teloxide::prelude::*;

use super::HandlerResult;
use crate::choice::Section;
use crate::commands::Command;
use crate::context::{Ctx, user_id};
use crate::dialogue::BotDialogue;
use crate::failure::explain;
use crate::flows::{self, markets, start};
use crate::screen::Screen;
use crate::telegram;

pub async fn on_command(
    bot: Bot,
    ctx: Ctx,
    dialogue: BotDialogue,
    msg: Message,
    command: Command,
) -> HandlerResult {
    // A command abandons whatever the bot was waiting for the user to type.
    dialogue.reset().await?;
    let Some(user) = msg.from.as_ref() else {
        return Ok(());
    };
    tracing::Span::current().record("action", command_name(&command));
    let owner = user_id(user);
    let screen = match command {
        Command::Start => start::start(&ctx, user).await,
        Command::Markets(search) => {
            let search = Some(search.trim().to_string()).filter(|s| !s.is_empty());
            markets::page(&ctx, owner, search, Vec::new()).await
        }
        Command::Positions => flows::section(&ctx, owner, Section::Positions).await,
        Command::CopyTrading => flows::section(&ctx, owner, Section::CopyTrading).await,
        Command::SmartTrading => flows::section(&ctx, owner, Section::SmartTrading).await,
        Command::Tpsl => flows::section(&ctx, owner, Section::TpSl).await,
        Command::Help => Ok(start::help()),
    };
    let screen = screen.unwrap_or_else(|e| Screen::text(explain(&e)));
    telegram::send(&bot, msg.chat.id, screen).await?;
    Ok(())
}

/// The command's name for the update span, without its arguments.
fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Start => "start",
        Command::Markets(_) => "markets",
        Command::Positions => "positions",
        Command::CopyTrading => "copy_trading",
        Command::SmartTrading => "smart_trading",
        Command::Tpsl => "tpsl",
        Command::Help => "help",
    }
}
