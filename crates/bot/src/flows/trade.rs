//! Buying an outcome, step by step: amount (preset or typed) → optional TP/SL →
//! confirmation → the position opened through the API. Shared by /markets and
//! /smart_trading.

use api_client::ApiError;
use rust_decimal::Decimal;
use teloxide::types::User as TgUser;
use ts_core::position::OpenPositionRequest;

use crate::choice::{Choice, TradeDraft};
use crate::context::{Ctx, user_id};
use crate::format;
use crate::input::TpSl;
use crate::screen::Screen;

/// The command a stale trade button points back to.
fn origin(draft: &TradeDraft) -> &'static str {
    match draft.source {
        ts_core::position::PositionSource::Smart => "/smart_trading",
        _ => "/markets",
    }
}

fn subject(draft: &TradeDraft) -> String {
    format!("{} in “{}”", draft.outcome, draft.question)
}

fn price_note(draft: &TradeDraft) -> String {
    draft
        .price
        .map(|p| format!(" (now {} per share)", format::cents(p)))
        .unwrap_or_default()
}

pub fn ask_amount(ctx: &Ctx, owner: i64, draft: TradeDraft) -> Screen {
    let text = format!(
        "💵 How much do you want to put on {}{}?",
        subject(&draft),
        price_note(&draft)
    );
    let mut keyboard = ctx.menus.keyboard(owner, origin(&draft));
    for amount in super::presets() {
        keyboard = keyboard.button(
            format::usd(amount),
            Choice::TradeAmount {
                draft: draft.clone(),
                amount: Some(amount),
            },
        );
    }
    let keyboard = keyboard
        .row()
        .button(
            "✏️ Other amount",
            Choice::TradeAmount {
                draft,
                amount: None,
            },
        )
        .button("✖ Cancel", cancelled())
        .build();
    Screen::with_keyboard(text, keyboard)
}

pub fn amount_prompt(ctx: &Ctx, owner: i64, draft: &TradeDraft) -> Screen {
    Screen::with_keyboard(
        format!(
            "✏️ Send the amount in USDC to put on {}, for example 15.",
            subject(draft)
        ),
        ctx.menus
            .keyboard(owner, origin(draft))
            .button("✖ Cancel", cancelled())
            .build(),
    )
}

pub fn ask_tpsl(ctx: &Ctx, owner: i64, draft: TradeDraft) -> Screen {
    let text = format!(
        "🎯 Add a take-profit or stop-loss to {} of {}?\n\
         The position closes by itself when the price reaches one of them.",
        format::usd(draft.amount.unwrap_or_default()),
        subject(&draft)
    );
    let keyboard = ctx
        .menus
        .keyboard(owner, origin(&draft))
        .button(
            "Skip",
            Choice::TradeTpSl {
                draft: draft.clone(),
                set: false,
            },
        )
        .button("🎯 Set TP/SL", Choice::TradeTpSl { draft, set: true })
        .row()
        .button("✖ Cancel", cancelled())
        .build();
    Screen::with_keyboard(text, keyboard)
}

pub fn tpsl_prompt(ctx: &Ctx, owner: i64, draft: &TradeDraft) -> Screen {
    Screen::with_keyboard(
        format!(
            "🎯 Send the take-profit and stop-loss prices for {}{}, e.g. “0.75 0.40”.\n\
             Use - to leave one out.",
            subject(draft),
            price_note(draft)
        ),
        ctx.menus
            .keyboard(owner, origin(draft))
            .button("✖ Cancel", cancelled())
            .build(),
    )
}

/// Checks typed TP/SL against the price shown, so the user can correct them now
/// rather than at the confirmation (the API checks again against the fill price).
pub fn check_tpsl(draft: &TradeDraft, tpsl: TpSl) -> Result<TpSl, String> {
    let Some(price) = draft.price else {
        return Ok(tpsl);
    };
    if let Some(tp) = tpsl.take_profit.filter(|tp| *tp <= price) {
        return Err(format!(
            "The take-profit {} must be above the current price {}.",
            format::price(tp),
            format::price(price)
        ));
    }
    if let Some(sl) = tpsl.stop_loss.filter(|sl| *sl >= price) {
        return Err(format!(
            "The stop-loss {} must be below the current price {}.",
            format::price(sl),
            format::price(price)
        ));
    }
    Ok(tpsl)
}

pub fn confirm(ctx: &Ctx, owner: i64, draft: TradeDraft) -> Screen {
    let mut text = format!(
        "Please confirm (paper trading):\n\nBuy {} of {}{}",
        format::usd(draft.amount.unwrap_or_default()),
        subject(&draft),
        price_note(&draft),
    );
    text.push_str(&format!("\n{}", tpsl_line(draft.tpsl)));
    let keyboard = ctx
        .menus
        .keyboard(owner, origin(&draft))
        .button("✅ Confirm", Choice::TradeConfirm(draft))
        .button("✖ Cancel", cancelled())
        .build();
    Screen::with_keyboard(text, keyboard)
}

/// Opens the position; `idempotency_key` makes a repeated confirmation a no-op.
pub async fn execute(
    ctx: &Ctx,
    user: &TgUser,
    draft: &TradeDraft,
    idempotency_key: &str,
) -> Result<Screen, ApiError> {
    ctx.ensure_registered(user).await?;
    let request = OpenPositionRequest {
        telegram_id: user_id(user),
        market_id: draft.market_id.clone(),
        outcome: draft.outcome.clone(),
        amount: draft.amount.unwrap_or_default(),
        take_profit: draft.tpsl.take_profit,
        stop_loss: draft.tpsl.stop_loss,
        source: draft.source,
        allocation_id: None,
        leader_trade_id: None,
        max_price: None,
    };
    let writing = ctx.own_events.writing(request.telegram_id);
    let position = ctx
        .api
        .open_position(&request, Some(idempotency_key))
        .await?;
    ctx.own_events.remember(position.id);
    drop(writing);
    let tpsl = TpSl {
        take_profit: position.take_profit,
        stop_loss: position.stop_loss,
    };
    Ok(Screen::text(format!(
        "✅ Position opened: {} shares of {} in “{}” at {} for {}.\n{}\nSee /positions.",
        position.size.round_dp(2).normalize(),
        position.outcome,
        position.market_question,
        format::cents(position.entry_price),
        format::usd(position.amount),
        tpsl_line(tpsl),
    )))
}

pub fn tpsl_line(tpsl: TpSl) -> String {
    let show = |p: Option<Decimal>| p.map_or_else(|| "none".to_string(), format::price);
    format!(
        "Take-profit {} · Stop-loss {}",
        show(tpsl.take_profit),
        show(tpsl.stop_loss)
    )
}

fn cancelled() -> Choice {
    Choice::Dismiss("✖ Cancelled. Nothing was bought.".to_string())
}
