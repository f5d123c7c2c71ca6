//! Button presses. Every press is answered exactly once: with the refusal for a
//! foreign or stale button (nothing else happens), with the API's failure as an
//! alert, or silently before the next screen is shown.

use api_client::ApiError;
use teloxide::prelude::*;
use teloxide::types::User as TgUser;

use super::HandlerResult;
use crate::choice::{Choice, TradeDraft};
use crate::context::{Ctx, user_id};
use crate::dialogue::{BotDialogue, State};
use crate::failure::explain;
use crate::flows::{self, copy_trading, markets, positions, trade};
use crate::menus::{Pressed, Refusal};
use crate::screen::{Screen, Step};
use crate::telegram;
use crate::texts;

pub async fn on_press(
    bot: Bot,
    ctx: Ctx,
    dialogue: BotDialogue,
    q: CallbackQuery,
) -> HandlerResult {
    let presser = user_id(&q.from);
    let resolved = match q.data.as_deref() {
        Some(data) => ctx.menus.resolve(data, presser),
        None => Err(Refusal::Expired { origin: None }),
    };
    let pressed = match resolved {
        Ok(pressed) => pressed,
        Err(refusal) => {
            tracing::info!(?refusal, user_id = presser, "button press refused");
            let text = match refusal {
                Refusal::NotYours => texts::NOT_YOURS.to_string(),
                Refusal::Expired { origin } => texts::expired(origin),
            };
            telegram::answer(&bot, q.id, Some(&text), true).await?;
            return Ok(());
        }
    };
    tracing::Span::current().record("action", kind(&pressed.choice));

    let step = match act(&ctx, &dialogue, &q.from, &pressed).await {
        Ok(step) => {
            if pressed.choice.is_final() {
                ctx.menus.retire(&pressed.token);
            }
            step
        }
        Err(e) => {
            // A definitive answer (e.g. already closed) ends the menu; when the API was
            // unreachable the same button may be pressed again.
            if pressed.choice.is_final()
                && !e.is_unavailable()
                && e.status().is_some_and(|s| s < 500)
            {
                ctx.menus.retire(&pressed.token);
            }
            telegram::answer(&bot, q.id, Some(&explain(&e)), true).await?;
            return Ok(());
        }
    };

    let chat = q.message.as_ref().map_or(ChatId(presser), |m| m.chat().id);
    match step {
        Step::Send(screen) => {
            telegram::answer(&bot, q.id, None, false).await?;
            telegram::send(&bot, chat, screen).await?;
        }
        Step::Edit(screen) => {
            telegram::answer(&bot, q.id, None, false).await?;
            match q.message.as_ref().and_then(|m| m.regular_message()) {
                Some(m) => telegram::edit(&bot, chat, m.id, screen).await?,
                // Too old for Telegram to include: show it as a new message instead.
                None => drop(telegram::send(&bot, chat, screen).await?),
            }
        }
    }
    Ok(())
}

/// What a press does; final writes use the menu token as their idempotency key.
async fn act(
    ctx: &Ctx,
    dialogue: &BotDialogue,
    user: &TgUser,
    pressed: &Pressed,
) -> Result<Step, ApiError> {
    let owner = user_id(user);
    let step = match pressed.choice.clone() {
        Choice::Section(section) => Step::Send(flows::section(ctx, owner, section).await?),
        Choice::MarketsPage { search, trail } => {
            Step::Edit(markets::page(ctx, owner, search, trail).await?)
        }
        Choice::OpenMarket {
            market_id,
            source,
            suggested,
        } => Step::Send(markets::card(ctx, owner, &market_id, source, suggested.as_deref()).await?),
        Choice::Buy(draft) => Step::Edit(trade::ask_amount(ctx, owner, draft)),
        Choice::TradeAmount {
            draft,
            amount: Some(amount),
        } => {
            let draft = TradeDraft {
                amount: Some(amount),
                ..draft
            };
            Step::Edit(trade::ask_tpsl(ctx, owner, draft))
        }
        Choice::TradeAmount {
            draft,
            amount: None,
        } => {
            let prompt = trade::amount_prompt(ctx, owner, &draft);
            wait_for(dialogue, State::TradeAmount { draft }).await;
            Step::Edit(prompt)
        }
        Choice::TradeTpSl { draft, set: false } => Step::Edit(trade::confirm(ctx, owner, draft)),
        Choice::TradeTpSl { draft, set: true } => {
            let prompt = trade::tpsl_prompt(ctx, owner, &draft);
            wait_for(dialogue, State::TradeTpSl { draft }).await;
            Step::Edit(prompt)
        }
        Choice::TradeConfirm(draft) => {
            Step::Edit(trade::execute(ctx, user, &draft, &pressed.token).await?)
        }
        Choice::SetTpSl(position) => {
            let prompt = positions::tpsl_prompt(ctx, owner, &position);
            wait_for(dialogue, State::PositionTpSl { position }).await;
            Step::Send(prompt)
        }
        Choice::Close(position) => Step::Send(positions::close_prompt(ctx, owner, position)),
        Choice::CloseConfirm(position) => {
            Step::Edit(positions::close(ctx, owner, &position, &pressed.token).await?)
        }
        Choice::Leader(leader) => Step::Send(copy_trading::ask_amount(ctx, owner, leader)),
        Choice::CopyAmount {
            leader,
            amount: Some(amount),
        } => Step::Edit(copy_trading::confirm(ctx, owner, leader, amount)),
        Choice::CopyAmount {
            leader,
            amount: None,
        } => {
            let prompt = copy_trading::amount_prompt(ctx, owner, &leader);
            wait_for(dialogue, State::CopyAmount { leader }).await;
            Step::Edit(prompt)
        }
        Choice::CopyConfirm { leader, amount } => {
            Step::Edit(copy_trading::follow(ctx, user, &leader, amount, &pressed.token).await?)
        }
        Choice::MyCopies => Step::Send(copy_trading::my_copies(ctx, owner).await?),
        Choice::Stop(allocation) => Step::Send(copy_trading::stop_prompt(ctx, owner, allocation)),
        Choice::StopConfirm(allocation) => {
            Step::Edit(copy_trading::stop(ctx, owner, &allocation).await?)
        }
        Choice::Dismiss(text) => {
            wait_for(dialogue, State::Idle).await;
            Step::Edit(Screen::text(text))
        }
    };
    Ok(step)
}

/// Sets what the bot waits for the user to type. The in-memory storage cannot fail,
/// but if it did the user would only have to press the button again.
async fn wait_for(dialogue: &BotDialogue, state: State) {
    if let Err(e) = dialogue.update(state).await {
        tracing::warn!(error = %e, "could not store the dialogue state");
    }
}

/// The choice's name for the update span, without its data.
fn kind(choice: &Choice) -> &'static str {
    match choice {
        Choice::Section(_) => "section",
        Choice::MarketsPage { .. } => "markets_page",
        Choice::OpenMarket { .. } => "open_market",
        Choice::Buy(_) => "buy",
        Choice::TradeAmount { .. } => "trade_amount",
        Choice::TradeTpSl { .. } => "trade_tpsl",
        Choice::TradeConfirm(_) => "trade_confirm",
        Choice::SetTpSl(_) => "set_tpsl",
        Choice::Close(_) => "close",
        Choice::CloseConfirm(_) => "close_confirm",
        Choice::Leader(_) => "leader",
        Choice::CopyAmount { .. } => "copy_amount",
        Choice::CopyConfirm { .. } => "copy_confirm",
        Choice::MyCopies => "my_copies",
        Choice::Stop(_) => "stop",
        Choice::StopConfirm(_) => "stop_confirm",
        Choice::Dismiss(_) => "dismiss",
    }
}
