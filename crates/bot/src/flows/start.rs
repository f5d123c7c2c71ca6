//! /start (registration and the main menu) and /help.

use api_client::ApiError;
use teloxide::types::{InlineKeyboardMarkup, User as TgUser};

use crate::choice::{Choice, Section};
use crate::commands::help_text;
use crate::context::{Ctx, user_id};
use crate::screen::Screen;

pub async fn start(ctx: &Ctx, user: &TgUser) -> Result<Screen, ApiError> {
    let stored = ctx.register(user).await?;
    let name = stored
        .first_name
        .or(stored.username)
        .unwrap_or_else(|| "trader".to_string());
    let text = format!(
        "👋 Welcome, {name}!\n\
         You are registered for paper trading on Polymarket: trades fill at the \
         current market price, no real money moves.\n\n\
         What would you like to do?"
    );
    Ok(Screen::with_keyboard(text, main_menu(ctx, user_id(user))))
}

pub fn main_menu(ctx: &Ctx, owner: i64) -> InlineKeyboardMarkup {
    ctx.menus
        .keyboard(owner, "/start")
        .button("📈 Markets", Choice::Section(Section::Markets))
        .button("💼 Positions", Choice::Section(Section::Positions))
        .row()
        .button("👥 Copy trading", Choice::Section(Section::CopyTrading))
        .button("🧠 Smart trading", Choice::Section(Section::SmartTrading))
        .row()
        .button("🎯 TP/SL", Choice::Section(Section::TpSl))
        .button("❓ Help", Choice::Section(Section::Help))
        .build()
}

pub fn help() -> Screen {
    Screen::text(format!(
        "{}\n\nButtons expire after a while; run the command again to get fresh ones.",
        help_text()
    ))
}
