//! /markets: a paged list; a button opens a market with its outcomes and prices, and
//! each outcome can be bought.

use api_client::{ApiError, MarketQuery};
use ts_core::market::Market;
use ts_core::position::PositionSource;

use crate::choice::{Choice, TradeDraft};
use crate::context::Ctx;
use crate::format;
use crate::input::TpSl;
use crate::screen::Screen;

pub const PAGE_SIZE: u32 = 5;

/// The page at the end of `trail` (the cursors of the pages up to it; `None` = first).
pub async fn page(
    ctx: &Ctx,
    owner: i64,
    search: Option<String>,
    trail: Vec<Option<String>>,
) -> Result<Screen, ApiError> {
    let trail = if trail.is_empty() { vec![None] } else { trail };
    let query = MarketQuery {
        search: search.clone(),
        active: Some(true),
        limit: Some(PAGE_SIZE),
        cursor: trail.last().cloned().flatten(),
    };
    let page = ctx.api.list_markets(&query).await?;
    if page.markets.is_empty() && trail.len() == 1 {
        return Ok(Screen::text(match &search {
            Some(s) => {
                format!("No open market matches “{s}”. Try another word, or /markets for all.")
            }
            None => "There are no open markets yet. Try again in a minute.".to_string(),
        }));
    }

    let first_number = (trail.len() - 1) * PAGE_SIZE as usize + 1;
    let mut text = match &search {
        Some(s) => format!("📈 Markets matching “{s}” — page {}\n", trail.len()),
        None => format!("📈 Markets — page {}\n", trail.len()),
    };
    let mut keyboard = ctx.menus.keyboard(owner, "/markets");
    for (i, market) in page.markets.iter().enumerate() {
        let n = first_number + i;
        text.push_str(&format!(
            "\n{n}. {}\n   {} · Vol {}\n",
            market.question,
            outcome_prices(market),
            format::compact_usd(market.volume)
        ));
        keyboard = keyboard
            .button(
                format!("{n}. {}", format::clip(&market.question, 40)),
                Choice::OpenMarket {
                    market_id: market.id.clone(),
                    source: PositionSource::Manual,
                    suggested: None,
                },
            )
            .row();
    }
    if trail.len() > 1 {
        keyboard = keyboard.button(
            "◀ Previous",
            Choice::MarketsPage {
                search: search.clone(),
                trail: trail[..trail.len() - 1].to_vec(),
            },
        );
    }
    if let Some(next) = page.next_cursor {
        let mut next_trail = trail.clone();
        next_trail.push(Some(next));
        keyboard = keyboard.button(
            "Next ▶",
            Choice::MarketsPage {
                search,
                trail: next_trail,
            },
        );
    }
    text.push_str("\nOpen a market to see its outcomes and trade.");
    Ok(Screen::with_keyboard(text, keyboard.build()))
}

/// A market with its outcomes and prices, and a buy button per priced outcome.
pub async fn card(
    ctx: &Ctx,
    owner: i64,
    market_id: &str,
    source: PositionSource,
    suggested: Option<&str>,
) -> Result<Screen, ApiError> {
    let market = ctx.api.get_market(market_id).await?;
    let mut text = format!("❓ {}\n\nOutcomes:\n", market.question);
    for outcome in &market.outcomes {
        let star = if suggested.is_some_and(|s| s.eq_ignore_ascii_case(&outcome.name)) {
            " ⭐ suggested"
        } else {
            ""
        };
        let price = outcome
            .price
            .map_or_else(|| "no price yet".to_string(), format::cents);
        text.push_str(&format!("• {} — {price}{star}\n", outcome.name));
    }
    text.push_str(&format!(
        "\nVolume {} · Liquidity {}",
        format::compact_usd(market.volume),
        format::compact_usd(market.liquidity)
    ));
    if let Some(end) = market.end_date {
        text.push_str(&format!("\nEnds {}", end.format("%Y-%m-%d")));
    }
    if !market.active || market.closed {
        text.push_str("\n\nThis market is closed for trading.");
        return Ok(Screen::text(text));
    }
    let mut keyboard = ctx.menus.keyboard(owner, "/markets");
    for outcome in market.outcomes.iter().filter(|o| o.price.is_some()) {
        let label = match outcome.price {
            Some(p) => format!("Buy {} · {}", outcome.name, format::cents(p)),
            None => format!("Buy {}", outcome.name),
        };
        keyboard = keyboard.button(
            label,
            Choice::Buy(TradeDraft {
                market_id: market.id.clone(),
                question: market.question.clone(),
                outcome: outcome.name.clone(),
                price: outcome.price,
                source,
                amount: None,
                tpsl: TpSl::default(),
            }),
        );
    }
    Ok(Screen::with_keyboard(text, keyboard.build()))
}

/// `Yes 55¢ · No 45¢`
fn outcome_prices(market: &Market) -> String {
    market
        .outcomes
        .iter()
        .map(|o| match o.price {
            Some(p) => format!("{} {}", o.name, format::cents(p)),
            None => format!("{} –", o.name),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}
