use std::error::Error as _;

use ts_core::ApiErrorBody;

/// Everything a call of [`crate::ApiClient`] can fail with.
#[derive(thiserror::Error, Debug)]
pub enum ApiError {
    /// The API answered with an error status; `code` and `message` are the API's own
    /// (`http_<status>` when the body was not the API's JSON error).
    #[error("api error {status} {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// The API could not be reached or answered 502/503/504 (after the retries allowed
    /// for the call): show "service unavailable, try again".
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A body could not be encoded or decoded, or the client was misconfigured.
    #[error("decode error: {0}")]
    Decode(String),
}

impl ApiError {
    /// The API's error code (`not_found`, `price_moved`, `http_404`, ...).
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// True when the service could not be reached or was unavailable.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for a 404 from the API.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Builds the error for a non-success status from its body.
    pub(crate) fn from_response(status: u16, body: &[u8]) -> Self {
        if let Ok(parsed) = serde_json::from_slice::<ApiErrorBody>(body) {
            return Self::Api {
                status,
                code: parsed.error.code,
                message: parsed.error.message,
            };
        }
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        let message = if text.is_empty() {
            http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("unexpected status")
                .to_string()
        } else {
            truncate(text, 300)
        };
        Self::Api {
            status,
            code: format!("http_{status}"),
            message,
        }
    }

    /// A transport failure (connect error, timeout, connection reset).
    pub(crate) fn transport(err: &reqwest::Error) -> Self {
        let what = if err.is_timeout() {
            "timed out"
        } else if err.is_connect() {
            "could not connect"
        } else {
            "request failed"
        };
        Self::Unavailable(format!("{what}: {}", chain(err)))
    }
}

/// The error and its sources on one line (reqwest's own message is terse).
fn chain(err: &reqwest::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !out.contains(&s_text) {
            out.push_str(": ");
            out.push_str(&s_text);
        }
        source = s.source();
    }
    out
}

pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((idx, _)) => format!("{}…", &text[..idx]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_api_code_and_message() {
        let e = ApiError::from_response(
            404,
            br#"{"error":{"code":"not_found","message":"no user 7"}}"#,
        );
        assert_eq!(e.code(), Some("not_found"));
        assert_eq!(e.status(), Some(404));
        assert!(e.is_not_found());
        assert!(e.to_string().contains("no user 7"));
    }

    #[test]
    fn non_json_bodies_get_http_codes() {
        let e = ApiError::from_response(400, b"bad things");
        assert_eq!(e.code(), Some("http_400"));
        assert!(matches!(e, ApiError::Api { ref message, .. } if message == "bad things"));
        let e = ApiError::from_response(418, b"");
        assert!(matches!(e, ApiError::Api { ref message, .. } if message == "I'm a teapot"));
        assert!(!e.is_unavailable());
    }

    #[test]
    fn truncates_on_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hé", 2), "hé");
    }
}
