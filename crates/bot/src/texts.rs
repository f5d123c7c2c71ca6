//! Fixed sentences the user reads, kept together so tests and handlers agree.

pub const UNAVAILABLE: &str =
    "⚠️ The trading service is unavailable right now, please try again in a moment.";
pub const PRIVATE: &str = "This bot is private.";
pub const SLOW_DOWN: &str =
    "🐢 You are sending commands too fast. Please slow down and try again in a minute.";
pub const NOT_YOURS: &str = "This button is not yours.";
pub const UNKNOWN_INPUT: &str = "I did not understand that. Send /help to see what I can do.";
pub const SOMETHING_WRONG: &str = "Something went wrong on our side, please try again.";

/// A button whose server-side state is gone (too old, already used, or from before
/// a restart).
pub fn expired(origin: Option<&str>) -> String {
    match origin {
        Some(command) => format!("This button has expired, run {command} again."),
        None => "This button has expired, please run the command again.".to_string(),
    }
}
