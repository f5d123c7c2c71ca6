//! /tpsl: the open positions with their take-profit and stop-loss, one button each.

use api_client::ApiError;

use crate::choice::Choice;
use crate::context::Ctx;
use crate::flows::positions::{open_positions, reference};
use crate::flows::trade::tpsl_line;
use crate::format;
use crate::input::TpSl;
use crate::screen::Screen;

pub async fn overview(ctx: &Ctx, owner: i64) -> Result<Screen, ApiError> {
    let positions = open_positions(ctx, owner).await?;
    if positions.is_empty() {
        return Ok(Screen::text(
            "🎯 You have no open positions to protect. Open one with /markets or /smart_trading.",
        ));
    }
    let mut text = "🎯 Take-profit and stop-loss\n".to_string();
    let mut keyboard = ctx.menus.keyboard(owner, "/tpsl");
    for (i, p) in positions.iter().take(super::MAX_LISTED).enumerate() {
        let n = i + 1;
        let position = reference(p);
        text.push_str(&format!(
            "\n{n}. {}\n   entry {} · {}\n",
            position.label,
            format::cents(p.entry_price),
            tpsl_line(TpSl {
                take_profit: p.take_profit,
                stop_loss: p.stop_loss,
            })
        ));
        keyboard = keyboard
            .button(
                format!("🎯 #{n} {}", format::clip(&position.label, 30)),
                Choice::SetTpSl(position),
            )
            .row();
    }
    text.push_str(&super::more_line(positions.len(), "positions"));
    Ok(Screen::with_keyboard(text, keyboard.build()))
}
