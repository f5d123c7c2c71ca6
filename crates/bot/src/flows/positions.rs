//! /positions: open positions with unrealised P&L, and per position the buttons to
//! set TP/SL and to close (after a confirmation).

use api_client::ApiError;
use rust_decimal::Decimal;
use ts_core::position::{
    ClosePositionRequest, CloseReason, Position, PositionStatus, UpdateTpSlRequest,
};

use crate::choice::{Choice, PositionRef};
use crate::context::Ctx;
use crate::flows::trade::tpsl_line;
use crate::format;
use crate::input::TpSl;
use crate::screen::Screen;

pub async fn open_positions(ctx: &Ctx, owner: i64) -> Result<Vec<Position>, ApiError> {
    ctx.api.positions(owner, Some(PositionStatus::Open)).await
}

pub fn reference(p: &Position) -> PositionRef {
    PositionRef {
        id: p.id,
        label: format!("{} — {}", p.outcome, format::clip(&p.market_question, 60)),
        entry_price: p.entry_price,
        current_price: p.current_price,
    }
}

pub async fn list(ctx: &Ctx, owner: i64) -> Result<Screen, ApiError> {
    let positions = open_positions(ctx, owner).await?;
    if positions.is_empty() {
        return Ok(Screen::text(
            "💼 You have no open positions.\nFind something to trade with /markets or /smart_trading.",
        ));
    }
    let mut text = "💼 Your open positions\n".to_string();
    let mut keyboard = ctx.menus.keyboard(owner, "/positions");
    let total: Decimal = positions.iter().filter_map(|p| p.unrealized_pnl).sum();
    for (i, p) in positions.iter().take(super::MAX_LISTED).enumerate() {
        let n = i + 1;
        text.push_str(&format!("\n{n}. {}\n{}\n", reference(p).label, details(p)));
        keyboard = keyboard
            .button(format!("🎯 TP/SL #{n}"), Choice::SetTpSl(reference(p)))
            .button(format!("✖ Close #{n}"), Choice::Close(reference(p)))
            .row();
    }
    text.push_str(&super::more_line(positions.len(), "positions"));
    text.push_str(&format!("\nTotal unrealised P&L: {}", format::pnl(total)));
    Ok(Screen::with_keyboard(text, keyboard.build()))
}

/// Cost, prices, P&L and TP/SL of one position, indented under its title.
fn details(p: &Position) -> String {
    let now = p.current_price.map_or_else(
        || "no price now".to_string(),
        |c| format!("now {}", format::cents(c)),
    );
    let pnl = match p.unrealized_pnl {
        Some(pnl) => format!(
            "P&L {} ({})",
            format::pnl(pnl),
            format::percent(pnl, p.amount)
        ),
        None => "P&L unknown until a price arrives".to_string(),
    };
    let tpsl = tpsl_line(TpSl {
        take_profit: p.take_profit,
        stop_loss: p.stop_loss,
    });
    format!(
        "   {} at {} → {now}\n   {pnl}\n   {tpsl}",
        format::usd(p.amount),
        format::cents(p.entry_price)
    )
}

pub fn close_prompt(ctx: &Ctx, owner: i64, position: PositionRef) -> Screen {
    let now = position
        .current_price
        .map(|c| format!(" (about {} now)", format::cents(c)))
        .unwrap_or_default();
    let text = format!(
        "Close {} at the market price{now}?\nThis cannot be undone.",
        position.label
    );
    let kept = Choice::Dismiss(format!("👍 Kept open: {}.", position.label));
    let keyboard = ctx
        .menus
        .keyboard(owner, "/positions")
        .button("✅ Yes, close it", Choice::CloseConfirm(position))
        .button("↩ Keep it open", kept)
        .build();
    Screen::with_keyboard(text, keyboard)
}

pub async fn close(
    ctx: &Ctx,
    owner: i64,
    position: &PositionRef,
    idempotency_key: &str,
) -> Result<Screen, ApiError> {
    let request = ClosePositionRequest {
        telegram_id: owner,
        reason: CloseReason::Manual,
    };
    let writing = ctx.own_events.writing(owner);
    let closed = ctx
        .api
        .close_position(position.id, &request, Some(idempotency_key))
        .await?;
    ctx.own_events.remember(closed.id);
    drop(writing);
    let exit = closed
        .exit_price
        .map(|p| format!(" at {}", format::cents(p)))
        .unwrap_or_default();
    let pnl = closed
        .realized_pnl
        .map(|p| format!("\nRealised P&L {}", format::pnl(p)))
        .unwrap_or_default();
    Ok(Screen::text(format!(
        "✅ Closed {}{exit}.{pnl}",
        position.label
    )))
}

pub fn tpsl_prompt(ctx: &Ctx, owner: i64, position: &PositionRef) -> Screen {
    let now = position
        .current_price
        .map(|c| format!(", now {}", format::cents(c)))
        .unwrap_or_default();
    Screen::with_keyboard(
        format!(
            "🎯 Send the take-profit and stop-loss for {} (entry {}{now}), e.g. “0.8 0.4”.\n\
             Use - to leave one out, or “none” to remove both.",
            position.label,
            format::cents(position.entry_price)
        ),
        ctx.menus
            .keyboard(owner, "/positions")
            .button(
                "✖ Cancel",
                Choice::Dismiss("✖ Cancelled. TP/SL unchanged.".to_string()),
            )
            .build(),
    )
}

pub async fn set_tpsl(
    ctx: &Ctx,
    owner: i64,
    position: &PositionRef,
    tpsl: TpSl,
) -> Result<Screen, ApiError> {
    let request = UpdateTpSlRequest {
        telegram_id: owner,
        take_profit: Some(tpsl.take_profit),
        stop_loss: Some(tpsl.stop_loss),
    };
    let updated = ctx.api.update_tpsl(position.id, &request).await?;
    Ok(Screen::text(format!(
        "✅ {}\n{}",
        position.label,
        tpsl_line(TpSl {
            take_profit: updated.take_profit,
            stop_loss: updated.stop_loss,
        })
    )))
}
