//! API failures in words a user reads: never silence, never a stack trace.

use api_client::ApiError;

use crate::texts;

/// The reply for a failed API call; logs what the user does not see.
pub fn explain(err: &ApiError) -> String {
    match err {
        ApiError::Unavailable(detail) => {
            tracing::warn!(%detail, "the API is unavailable");
            texts::UNAVAILABLE.to_string()
        }
        ApiError::Api { status, .. } if *status >= 500 => {
            tracing::error!(error = %err, "the API failed");
            texts::UNAVAILABLE.to_string()
        }
        ApiError::Api { status: 429, .. } => {
            "⏳ The trading service is busy, please try again in a moment.".to_string()
        }
        // The API's own message is written for people: show it as it is.
        ApiError::Api { message, .. } => format!("❌ {}", sentence(message)),
        ApiError::Decode(detail) => {
            tracing::error!(%detail, "unexpected answer from the API");
            texts::SOMETHING_WRONG.to_string()
        }
    }
}

/// Capitalised, so API messages such as "take_profit 0.4 must be ..." read as a sentence.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "The request was refused.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unavailable_and_server_errors_read_the_same() {
        assert_eq!(
            explain(&ApiError::Unavailable("connect".into())),
            texts::UNAVAILABLE
        );
        let e = ApiError::Api {
            status: 503,
            code: "x".into(),
            message: "y".into(),
        };
        assert_eq!(explain(&e), texts::UNAVAILABLE);
    }

    #[test]
    fn client_errors_show_the_api_message() {
        let e = ApiError::Api {
            status: 422,
            code: "validation_error".into(),
            message: "take_profit 0.4 must be above the entry price 0.5".into(),
        };
        assert_eq!(
            explain(&e),
            "❌ Take_profit 0.4 must be above the entry price 0.5"
        );
    }
}
