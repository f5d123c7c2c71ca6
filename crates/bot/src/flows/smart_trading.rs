//! /smart_trading: ranked markets with the reason for each; a pick opens the market
//! card with the suggested outcome marked, and buying goes on as in /markets.

use api_client::ApiError;
use ts_core::position::PositionSource;

use crate::choice::Choice;
use crate::context::Ctx;
use crate::format;
use crate::screen::Screen;

const PICKS: u32 = 5;

pub async fn recommendations(ctx: &Ctx, owner: i64) -> Result<Screen, ApiError> {
    let picks = ctx.api.recommendations(Some(PICKS)).await?;
    if picks.is_empty() {
        return Ok(Screen::text(
            "🧠 No recommendations right now: no open market has a tradable price. Try again later.",
        ));
    }
    let mut text = "🧠 Smart trading — today's picks\n".to_string();
    let mut keyboard = ctx.menus.keyboard(owner, "/smart_trading");
    for (i, pick) in picks.iter().enumerate() {
        let n = i + 1;
        text.push_str(&format!(
            "\n{n}. {}\n   ⭐ {} at {}\n   Why: {}\n",
            pick.market.question,
            pick.outcome,
            format::cents(pick.price),
            pick.reason
        ));
        keyboard = keyboard
            .button(
                format!("{n}. {}", format::clip(&pick.market.question, 40)),
                Choice::OpenMarket {
                    market_id: pick.market.id.clone(),
                    source: PositionSource::Smart,
                    suggested: Some(pick.outcome.clone()),
                },
            )
            .row();
    }
    text.push_str("\nPick one to see the market and trade.");
    Ok(Screen::with_keyboard(text, keyboard.build()))
}
