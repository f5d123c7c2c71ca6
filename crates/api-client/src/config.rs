use std::fmt;
use std::time::Duration;

/// Settings of an [`crate::ApiClient`]. The token never appears in `Debug`.
#[derive(Clone)]
pub struct ClientConfig {
    /// Base URL of the API, e.g. `http://localhost:8000` (a path prefix is kept).
    pub base_url: String,
    /// Bearer token for `/api/v1/*`.
    pub token: String,
    /// Time limit of one attempt of a request, body included (connect timeout of the
    /// event stream). Default 10 s.
    pub timeout: Duration,
    /// Retries of an idempotent call after a connect error, a timeout, 429 or 502-504.
    /// Default 3.
    pub max_retries: u32,
    /// First backoff; it doubles per retry (with jitter). Default 100 ms.
    pub initial_backoff: Duration,
}

impl ClientConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    pub const DEFAULT_MAX_RETRIES: u32 = 3;
    pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(100);

    /// A configuration with the default timeout, retries and backoff.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            token: token.into(),
            ..Self::default()
        }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            base_url: "http://localhost:8000".to_string(),
            token: String::new(),
            timeout: Self::DEFAULT_TIMEOUT,
            max_retries: Self::DEFAULT_MAX_RETRIES,
            initial_backoff: Self::DEFAULT_INITIAL_BACKOFF,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("token", &"[redacted]")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token() {
        let cfg = ClientConfig::new("http://api:8000", "s3cret-token");
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("s3cret-token"), "{shown}");
        assert!(shown.contains("[redacted]"));
        assert_eq!(cfg.timeout, Duration::from_secs(10));
        assert_eq!(cfg.max_retries, 3);
        assert_eq!(cfg.initial_backoff, Duration::from_millis(100));
    }
}
