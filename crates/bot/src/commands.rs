//! The bot's commands: parsed from messages, registered with `setMyCommands` and
//! listed by /help from this one definition.

use teloxide::utils::command::BotCommands;

#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "snake_case", description = "What I can do:")]
pub enum Command {
    #[command(description = "register and show the main menu")]
    Start,
    #[command(description = "browse markets, optionally searching: /markets bitcoin")]
    Markets(String),
    #[command(description = "your open positions with unrealised P&L")]
    Positions,
    #[command(description = "follow a leader's trades automatically")]
    CopyTrading,
    #[command(description = "recommended markets, each with the reason")]
    SmartTrading,
    #[command(description = "set take-profit and stop-loss on a position")]
    Tpsl,
    #[command(description = "show this list")]
    Help,
}

/// The /help text: one line per command.
pub fn help_text() -> String {
    Command::descriptions().to_string()
}
