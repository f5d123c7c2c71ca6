//! The conversations, one module per area. Each step builds a [`Screen`] from API
//! data (or fails with the API's error); the handlers decide where it is shown.
//!
//! [`Screen`]: crate::screen::Screen

pub mod copy_trading;
pub mod markets;
pub mod positions;
pub mod smart_trading;
pub mod start;
pub mod tpsl;
pub mod trade;

use api_client::ApiError;
use rust_decimal::Decimal;

use crate::choice::Section;
use crate::context::Ctx;
use crate::screen::Screen;

/// Longest list shown in one message: keeps it far below Telegram's 4096 characters
/// and the keyboard usable.
pub const MAX_LISTED: usize = 10;

/// The line under a list cut at [`MAX_LISTED`] entries.
pub fn more_line(total: usize, what: &str) -> String {
    if total > MAX_LISTED {
        format!("\n…and {} more {what} not shown.", total - MAX_LISTED)
    } else {
        String::new()
    }
}

/// Amount presets offered as buttons, in USDC.
pub const AMOUNT_PRESETS: [u32; 4] = [5, 10, 25, 50];

pub fn presets() -> impl Iterator<Item = Decimal> {
    AMOUNT_PRESETS.into_iter().map(Decimal::from)
}

/// The first screen of a main-menu section: the same as its command.
pub async fn section(ctx: &Ctx, owner: i64, section: Section) -> Result<Screen, ApiError> {
    match section {
        Section::Markets => markets::page(ctx, owner, None, Vec::new()).await,
        Section::Positions => positions::list(ctx, owner).await,
        Section::CopyTrading => copy_trading::leaders(ctx, owner).await,
        Section::SmartTrading => smart_trading::recommendations(ctx, owner).await,
        Section::TpSl => tpsl::overview(ctx, owner).await,
        Section::Help => Ok(start::help()),
    }
}
