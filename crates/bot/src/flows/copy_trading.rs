//! /copy_trading: leaders with their stats → pick one → amount per copied trade
//! (preset or typed) → confirm → allocation created; "My copies" lists the active
//! allocations, each with a Stop that asks for confirmation.

use api_client::ApiError;
use rust_decimal::Decimal;
use teloxide::types::User as TgUser;
use ts_core::copy::{CreateAllocationRequest, DEFAULT_SLIPPAGE_BPS, Leader, SizingMode};

use crate::choice::{AllocationRef, Choice, LeaderRef};
use crate::context::{Ctx, user_id};
use crate::format;
use crate::screen::Screen;

const ORIGIN: &str = "/copy_trading";

fn leader_label(address: &str, name: Option<&str>) -> String {
    match name.filter(|n| !n.trim().is_empty()) {
        Some(name) => format!("{name} ({})", format::short_address(address)),
        None => format::short_address(address),
    }
}

fn reference(leader: &Leader) -> LeaderRef {
    LeaderRef {
        address: leader.address.clone(),
        label: leader_label(leader.address.as_str(), leader.name.as_deref()),
    }
}

pub async fn leaders(ctx: &Ctx, owner: i64) -> Result<Screen, ApiError> {
    let leaders = ctx.api.leaders().await?;
    let mut keyboard = ctx.menus.keyboard(owner, ORIGIN);
    if leaders.is_empty() {
        let keyboard = keyboard.button("📋 My copies", Choice::MyCopies).build();
        return Ok(Screen::with_keyboard(
            "👥 No leaders to copy yet: leaders appear once their trades are seen.",
            keyboard,
        ));
    }
    let mut text = "👥 Copy trading — pick a leader to copy\n".to_string();
    for (i, leader) in leaders.iter().take(super::MAX_LISTED).enumerate() {
        let n = i + 1;
        let r = reference(leader);
        text.push_str(&format!(
            "\n{n}. {}\n   {} trades · {} volume · {} followers\n",
            r.label,
            leader.trades_count,
            format::compact_usd(leader.volume),
            leader.followers
        ));
        keyboard = keyboard
            .button(
                format!("Copy {n}. {}", format::clip(&r.label, 30)),
                Choice::Leader(r),
            )
            .row();
    }
    text.push_str(&super::more_line(leaders.len(), "leaders"));
    let keyboard = keyboard.button("📋 My copies", Choice::MyCopies).build();
    Ok(Screen::with_keyboard(text, keyboard))
}

pub fn ask_amount(ctx: &Ctx, owner: i64, leader: LeaderRef) -> Screen {
    let text = format!(
        "💵 How much USDC should each copied trade of {} use?",
        leader.label
    );
    let mut keyboard = ctx.menus.keyboard(owner, ORIGIN);
    for amount in super::presets() {
        keyboard = keyboard.button(
            format::usd(amount),
            Choice::CopyAmount {
                leader: leader.clone(),
                amount: Some(amount),
            },
        );
    }
    let keyboard = keyboard
        .row()
        .button(
            "✏️ Other amount",
            Choice::CopyAmount {
                leader,
                amount: None,
            },
        )
        .button("✖ Cancel", cancelled())
        .build();
    Screen::with_keyboard(text, keyboard)
}

pub fn amount_prompt(ctx: &Ctx, owner: i64, leader: &LeaderRef) -> Screen {
    Screen::with_keyboard(
        format!(
            "✏️ Send the amount in USDC for each copied trade of {}, for example 15.",
            leader.label
        ),
        ctx.menus
            .keyboard(owner, ORIGIN)
            .button("✖ Cancel", cancelled())
            .build(),
    )
}

pub fn confirm(ctx: &Ctx, owner: i64, leader: LeaderRef, amount: Decimal) -> Screen {
    let text = format!(
        "Please confirm (paper trading):\n\nCopy every trade of {} with {} per trade.",
        leader.label,
        format::usd(amount)
    );
    let keyboard = ctx
        .menus
        .keyboard(owner, ORIGIN)
        .button("✅ Start copying", Choice::CopyConfirm { leader, amount })
        .button("✖ Cancel", cancelled())
        .build();
    Screen::with_keyboard(text, keyboard)
}

pub async fn follow(
    ctx: &Ctx,
    user: &TgUser,
    leader: &LeaderRef,
    amount: Decimal,
    idempotency_key: &str,
) -> Result<Screen, ApiError> {
    ctx.ensure_registered(user).await?;
    let request = CreateAllocationRequest {
        telegram_id: user_id(user),
        leader_address: leader.address.clone(),
        mode: SizingMode::Fixed,
        amount,
        max_per_trade: None,
        slippage_bps: DEFAULT_SLIPPAGE_BPS,
    };
    let allocation = ctx
        .api
        .create_allocation(&request, Some(idempotency_key))
        .await?;
    Ok(Screen::text(format!(
        "✅ You are now copying {} with {} per trade.\nSee or stop your copies with /copy_trading → 📋 My copies.",
        leader.label,
        format::usd(allocation.amount)
    )))
}

pub async fn my_copies(ctx: &Ctx, owner: i64) -> Result<Screen, ApiError> {
    let (allocations, leaders) =
        tokio::join!(ctx.api.allocations(owner, Some(true)), ctx.api.leaders());
    let allocations = allocations?;
    // Names are a nicety: without the leaders list the addresses still identify them.
    let leaders = leaders.unwrap_or_default();
    if allocations.is_empty() {
        return Ok(Screen::text(
            "📋 You are not copying anyone. Pick a leader with /copy_trading.",
        ));
    }
    let mut text = "📋 Your copies\n".to_string();
    let mut keyboard = ctx.menus.keyboard(owner, ORIGIN);
    for (i, a) in allocations.iter().take(super::MAX_LISTED).enumerate() {
        let n = i + 1;
        let name = leaders
            .iter()
            .find(|l| l.address == a.leader_address)
            .and_then(|l| l.name.as_deref());
        let label = leader_label(a.leader_address.as_str(), name);
        text.push_str(&format!(
            "\n{n}. {label}\n   {} per trade · since {}\n",
            format::usd(a.amount),
            a.created_at.format("%Y-%m-%d")
        ));
        keyboard = keyboard
            .button(
                format!("⏹ Stop {n}. {}", format::clip(&label, 30)),
                Choice::Stop(AllocationRef { id: a.id, label }),
            )
            .row();
    }
    text.push_str(&super::more_line(allocations.len(), "copies"));
    Ok(Screen::with_keyboard(text, keyboard.build()))
}

pub fn stop_prompt(ctx: &Ctx, owner: i64, allocation: AllocationRef) -> Screen {
    let text = format!(
        "Stop copying {}?\nPositions already opened stay open.",
        allocation.label
    );
    let kept = Choice::Dismiss(format!("👍 Still copying {}.", allocation.label));
    let keyboard = ctx
        .menus
        .keyboard(owner, ORIGIN)
        .button("✅ Yes, stop", Choice::StopConfirm(allocation))
        .button("↩ Keep copying", kept)
        .build();
    Screen::with_keyboard(text, keyboard)
}

pub async fn stop(ctx: &Ctx, owner: i64, allocation: &AllocationRef) -> Result<Screen, ApiError> {
    ctx.api.stop_allocation(allocation.id, owner).await?;
    Ok(Screen::text(format!(
        "⏹ Stopped copying {}.",
        allocation.label
    )))
}

fn cancelled() -> Choice {
    Choice::Dismiss("✖ Cancelled. You are not copying anyone new.".to_string())
}
