//! Typed answers, by what the dialogue waits for: an amount or a TP/SL pair. A bad
//! value gets a clear reply and the bot keeps waiting; a good one moves on.

use teloxide::prelude::*;

use super::HandlerResult;
use crate::choice::{LeaderRef, PositionRef, TradeDraft};
use crate::context::{Ctx, user_id};
use crate::dialogue::BotDialogue;
use crate::failure::explain;
use crate::flows::{copy_trading, positions, trade};
use crate::input;
use crate::screen::Screen;
use crate::telegram;
use crate::texts;

const TEXT_PLEASE: &str = "Please type your answer as a text message, or send a command.";

/// The sender and the text, or a reply asking for text.
async fn typed(bot: &Bot, msg: &Message) -> anyhow::Result<Option<(i64, String)>> {
    match (msg.from.as_ref(), msg.text()) {
        (Some(user), Some(text)) => Ok(Some((user_id(user), text.to_string()))),
        _ => {
            telegram::send(bot, msg.chat.id, Screen::text(TEXT_PLEASE)).await?;
            Ok(None)
        }
    }
}

pub async fn trade_amount(
    bot: Bot,
    ctx: Ctx,
    dialogue: BotDialogue,
    msg: Message,
    draft: TradeDraft,
) -> HandlerResult {
    let Some((owner, text)) = typed(&bot, &msg).await? else {
        return Ok(());
    };
    let screen = match input::amount(&text) {
        Ok(amount) => {
            dialogue.reset().await?;
            let draft = TradeDraft {
                amount: Some(amount),
                ..draft
            };
            trade::ask_tpsl(&ctx, owner, draft)
        }
        Err(problem) => Screen::text(problem),
    };
    telegram::send(&bot, msg.chat.id, screen).await?;
    Ok(())
}

pub async fn trade_tpsl(
    bot: Bot,
    ctx: Ctx,
    dialogue: BotDialogue,
    msg: Message,
    draft: TradeDraft,
) -> HandlerResult {
    let Some((owner, text)) = typed(&bot, &msg).await? else {
        return Ok(());
    };
    let checked = input::tpsl(&text).and_then(|tpsl| trade::check_tpsl(&draft, tpsl));
    let screen = match checked {
        Ok(tpsl) => {
            dialogue.reset().await?;
            trade::confirm(&ctx, owner, TradeDraft { tpsl, ..draft })
        }
        Err(problem) => Screen::text(problem),
    };
    telegram::send(&bot, msg.chat.id, screen).await?;
    Ok(())
}

pub async fn copy_amount(
    bot: Bot,
    ctx: Ctx,
    dialogue: BotDialogue,
    msg: Message,
    leader: LeaderRef,
) -> HandlerResult {
    let Some((owner, text)) = typed(&bot, &msg).await? else {
        return Ok(());
    };
    let screen = match input::amount(&text) {
        Ok(amount) => {
            dialogue.reset().await?;
            copy_trading::confirm(&ctx, owner, leader, amount)
        }
        Err(problem) => Screen::text(problem),
    };
    telegram::send(&bot, msg.chat.id, screen).await?;
    Ok(())
}

pub async fn position_tpsl(
    bot: Bot,
    ctx: Ctx,
    dialogue: BotDialogue,
    msg: Message,
    position: PositionRef,
) -> HandlerResult {
    let Some((owner, text)) = typed(&bot, &msg).await? else {
        return Ok(());
    };
    let screen = match input::tpsl(&text) {
        // The API checks the values against the entry price; its refusal is shown and
        // the bot keeps waiting for a better pair.
        Ok(tpsl) => match positions::set_tpsl(&ctx, owner, &position, tpsl).await {
            Ok(screen) => {
                dialogue.reset().await?;
                screen
            }
            Err(e) => {
                // Only a value the API refused is worth typing again.
                if !(e.is_unavailable() || e.status() == Some(422)) {
                    dialogue.reset().await?;
                }
                Screen::text(explain(&e))
            }
        },
        Err(problem) => Screen::text(problem),
    };
    telegram::send(&bot, msg.chat.id, screen).await?;
    Ok(())
}

/// Text while nothing is expected (or an unknown /command).
pub async fn not_understood(bot: Bot, msg: Message) -> HandlerResult {
    telegram::send(&bot, msg.chat.id, Screen::text(texts::UNKNOWN_INPUT)).await?;
    Ok(())
}
